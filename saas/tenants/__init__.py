"""Tenants: studios, people, memberships and roles, invitations, sign-in, API tokens and the audit trail."""
