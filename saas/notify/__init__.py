"""Notifications: what a person is told (in the app, by e-mail), recorded in the transaction that caused it."""
