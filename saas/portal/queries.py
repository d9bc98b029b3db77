"""What a portal user sees: their own client's projects, the quotes sent to them, their invoices. Drafts and
anything internal (pending approvals, voided invoices, other clients) never appear."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.billing.models import Invoice, InvoiceStatus, Quote, QuoteStatus
from saas.extensions import db
from saas.ids import parse_uuid
from saas.portal_accounts.models import PortalUser
from saas.projects.models import Project

T = TypeVar("T", Quote, Invoice, Project)
CLIENT_QUOTES = (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED)
CLIENT_INVOICES = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID)


def projects(user: PortalUser) -> list[Project]:
    query = select(Project).where(Project.client_id == user.client_id, Project.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Project.closed_at.is_not(None), Project.created_at.desc())))


def quotes(user: PortalUser) -> list[Quote]:
    query = select(Quote).where(Quote.client_id == user.client_id, Quote.status.in_(CLIENT_QUOTES))
    return list(db.session.scalars(query.order_by(Quote.sent_at.desc()).limit(50)))


def invoices(user: PortalUser, project_id: uuid.UUID | None = None) -> list[Invoice]:
    """The invoices sent to this person's client, or to it for one of its projects."""
    query = select(Invoice).where(Invoice.client_id == user.client_id, Invoice.status.in_(CLIENT_INVOICES))
    if project_id is not None:
        query = query.where(Invoice.project_id == project_id)
    return list(db.session.scalars(query.order_by(Invoice.due_on).limit(100)))


def quote_for(user: PortalUser, quote_id: str | uuid.UUID) -> Quote:
    """A quote sent to this person's client; anything else (another client's, a draft) reads as missing."""
    return _of_client(user, Quote, quote_id, Quote.status.in_(CLIENT_QUOTES))


def invoice_for(user: PortalUser, invoice_id: str | uuid.UUID) -> Invoice:
    """An invoice sent to this person's client; anything else (another client's, a draft, a void) is missing."""
    return _of_client(user, Invoice, invoice_id, Invoice.status.in_(CLIENT_INVOICES))


def project_for(user: PortalUser, project_id: str | uuid.UUID) -> Project:
    """A project of this person's client; another client's, another studio's or an archived one is missing."""
    return _of_client(user, Project, project_id, Project.archived_at.is_(None))


def _of_client(user: PortalUser, model: type[T], object_id: str | uuid.UUID, *conditions: Any) -> T:
    """One row of this person's own client by its id, or 404 — for another client's as for one that never was."""
    statement = select(model).where(model.id == parse_uuid(object_id), model.client_id == user.client_id)
    found = db.session.scalar(statement.where(*conditions))
    if found is None:
        raise NotFound()
    return found
