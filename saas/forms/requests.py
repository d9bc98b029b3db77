"""Sending a form to a client about a project: the requirements brief from the project page, the feedback form
when a project is won. The client's portal people get a bell entry and an e-mail with the link; the portal
lists the request until it is answered."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import ValidationFailed
from saas.extensions import db
from saas.forms.models import Form, FormKind, FormRequest, FormStatus
from saas.notify.services import notify
from saas.portal_accounts.queries import client_recipients
from saas.projects.models import Project
from saas.tenants.models import Membership, Tenant
from saas.tenants.roles import Perm, require
from saas.web.urls import site_path


def sendable_forms(kind: str | None = None) -> list[Form]:
    query = select(Form).where(Form.status == FormStatus.PUBLISHED).order_by(Form.created_at)
    if kind:
        query = query.where(Form.kind == kind)
    return list(db.session.scalars(query))


def send_form(membership: Membership, project: Project, form_id: str) -> FormRequest:
    require(membership, Perm.PROJECTS_EDIT)
    form = next((f for f in sendable_forms() if str(f.id) == form_id), None)
    if form is None:
        raise ValidationFailed({"form_id": [_("Choose a published form.")]})
    if not client_recipients(project.client_id):
        raise ValidationFailed({"form_id": [_("Give one of the client's contacts portal access first.")]})
    return _request(form, project, membership.user_id)


def _request(form: Form, project: Project, sent_by_id: object) -> FormRequest:
    request = FormRequest(form_id=form.id, project_id=project.id, client_id=project.client_id, sent_by_id=sent_by_id)
    return _send(request, form, project.name)


def _send(request: FormRequest, form: Form, about: str) -> FormRequest:
    """Store the request and tell the client's portal people (bell and e-mail, with the link to answer)."""
    db.session.add(request)
    db.session.flush()
    tenant = db.session.get(Tenant, request.tenant_id)
    link = site_path("public.form", slug=tenant.slug, form_slug=form.slug, r=str(request.id))
    people = client_recipients(request.client_id)
    data = {"studio": tenant.name, "form": form.title(tenant.locale), "project": about}
    notify(people, "form_requested", data, link, email=True)
    return request


def ask_for_feedback(project: Project) -> FormRequest | None:
    """A project just won: the studio's first published feedback form goes to the client, once per project."""
    forms = sendable_forms(FormKind.FEEDBACK)
    if not forms or not client_recipients(project.client_id):
        return None
    asked = select(FormRequest.id).where(FormRequest.project_id == project.id, FormRequest.form_id == forms[0].id)
    if db.session.scalar(asked) is not None:
        return None
    return _request(forms[0], project, None)


def ask_about_ticket(ticket: Any) -> FormRequest | None:
    """A ticket just closed (saas.tickets calls this from its listener): the studio's first published feedback
    form goes to the client, once per ticket, about that ticket ("T-0007 空调漏水")."""
    forms = sendable_forms(FormKind.FEEDBACK)
    if not forms or not client_recipients(ticket.client_id):
        return None
    if db.session.scalar(select(FormRequest.id).where(FormRequest.ticket_id == ticket.id)) is not None:
        return None
    request = FormRequest(form_id=forms[0].id, ticket_id=ticket.id, client_id=ticket.client_id)
    return _send(request, forms[0], f"{ticket.number} {ticket.subject}")


def open_requests(client_id: object) -> list[FormRequest]:
    query = (
        select(FormRequest)
        .where(FormRequest.client_id == client_id, FormRequest.answered_at.is_(None))
        .order_by(FormRequest.created_at.desc())
    )
    return [r for r in db.session.scalars(query) if r.form.status == FormStatus.PUBLISHED]


def requests_of(project: Project) -> list[FormRequest]:
    query = select(FormRequest).where(FormRequest.project_id == project.id).order_by(FormRequest.created_at.desc())
    return list(db.session.scalars(query))
