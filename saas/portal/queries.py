"""What a portal user sees: their own client's projects, the quotes sent to them, their invoices. Drafts and
anything internal (pending approvals, voided invoices, other clients) never appear."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.billing.models import Invoice, InvoiceStatus, Quote, QuoteStatus
from saas.extensions import db
from saas.portal.models import PortalUser
from saas.projects.models import Project
from saas.tenants.access import parse_uuid

CLIENT_QUOTES = (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED)
CLIENT_INVOICES = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID)


def projects(user: PortalUser) -> list[Project]:
    query = select(Project).where(Project.client_id == user.client_id, Project.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Project.closed_at.is_not(None), Project.created_at.desc())))


def quotes(user: PortalUser) -> list[Quote]:
    query = select(Quote).where(Quote.client_id == user.client_id, Quote.status.in_(CLIENT_QUOTES))
    return list(db.session.scalars(query.order_by(Quote.sent_at.desc()).limit(50)))


def invoices(user: PortalUser) -> list[Invoice]:
    query = select(Invoice).where(Invoice.client_id == user.client_id, Invoice.status.in_(CLIENT_INVOICES))
    return list(db.session.scalars(query.order_by(Invoice.due_on).limit(100)))


def quote_for(user: PortalUser, quote_id: str | uuid.UUID) -> Quote:
    """A quote sent to this person's client; anything else (another client's, a draft) reads as missing."""
    found = db.session.scalar(
        select(Quote).where(
            Quote.id == parse_uuid(quote_id), Quote.client_id == user.client_id, Quote.status.in_(CLIENT_QUOTES)
        )
    )
    if found is None:
        raise NotFound()
    return found


def invoice_for(user: PortalUser, invoice_id: str | uuid.UUID) -> Invoice:
    """An invoice sent to this person's client; anything else (another client's, a draft, a void) is missing."""
    found = db.session.scalar(
        select(Invoice).where(
            Invoice.id == parse_uuid(invoice_id),
            Invoice.client_id == user.client_id,
            Invoice.status.in_(CLIENT_INVOICES),
        )
    )
    if found is None:
        raise NotFound()
    return found
