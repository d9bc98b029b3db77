"""Invoice rules: deposit, milestones and final payment (尾款) from a contract or quote, each with its due
date; draft → sent → partly paid → paid, or void with a reason; payments recorded by staff. An invoice never
takes more money than it asks for, and a void one takes none.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from saas.billing.models import Contract, Invoice, InvoiceKind, InvoiceStatus, Payment, Quote
from saas.billing.services.common import next_number, refuse, settings
from saas.billing.totals import split
from saas.clients.access import client_for_form
from saas.db import lock_row, utcnow
from saas.errors import Conflict
from saas.events import emit
from saas.extensions import db
from saas.notify.services import Recipient
from saas.projects.access import project_id_for_form
from saas.tenants.models import Membership
from saas.tenants.queries import studio_today
from saas.tenants.roles import Perm, require


def _new(source: dict[str, Any], kind: str, title: str, amount: int, due_on: date, by: uuid.UUID | None) -> Invoice:
    """A draft invoice; `source` names its client (a Client) and its project, quote or contract ids."""
    client = source.pop("client")
    invoice = Invoice(
        **source,
        client_id=client.id,
        number=next_number("INV", studio_today(client.tenant_id)),
        kind=kind,
        title=title,
        amount_minor=amount,
        due_on=due_on,
        created_by_id=by,
    )
    db.session.add(invoice)
    return invoice


def create_invoice(membership: Membership, data: dict[str, Any]) -> Invoice:
    require(membership, Perm.INVOICES)
    client = client_for_form(membership, data["client_id"])
    source = {"client": client, "project_id": project_id_for_form(membership, data.get("project_id"), client.id)}
    invoice = _new(
        source,
        data.get("kind") or InvoiceKind.MILESTONE,
        data["title"],
        data["amount_minor"],
        data["due_on"],
        membership.user_id,
    )
    db.session.flush()
    emit(
        "invoice.created",
        subject=invoice,
        client=client,
        actor_id=membership.user_id,
        invoice=invoice.number,
        amount=invoice.amount_minor,
        kind=invoice.kind,
    )
    return invoice


def schedule(membership: Membership, document: Contract | Quote, parts: list[dict[str, Any]]) -> list[Invoice]:
    """Invoices for a contract or an accepted quote: e.g. 30% deposit now, 70% final on delivery. The parts'
    percentages must add up to 100, and the amounts always add up to the document's total exactly."""
    require(membership, Perm.INVOICES)
    return _schedule(document, parts, membership.user_id)


def _schedule(document: Contract | Quote, parts: list[dict[str, Any]], by: uuid.UUID | None) -> list[Invoice]:
    if already_invoiced(document):
        raise refuse(_("Invoices were already drafted from this document; void them first to start again."), "parts")
    percents = [Decimal(str(part["percent"])) for part in parts]
    if not parts or sum(percents) != 100:
        raise refuse(_("The parts must add up to 100%."), "parts")
    total = billed_total(document)
    source = {"client": document.client, "project_id": document.project_id}
    source |= {"contract_id": document.id} if isinstance(document, Contract) else {"quote_id": document.id}
    invoices = [
        _new(dict(source), part["kind"], part.get("title") or document.title, amount, part["due_on"], by)
        for part, amount in zip(parts, split(total, percents), strict=True)
    ]
    db.session.flush()
    for invoice in invoices:
        emit(
            "invoice.created",
            subject=invoice,
            client=document.client,
            actor_id=by,
            invoice=invoice.number,
            amount=invoice.amount_minor,
            kind=invoice.kind,
        )
    return invoices


def billed_total(document: Contract | Quote) -> int:
    return document.amount_minor if isinstance(document, Contract) else document.total_minor


def deposit_on_acceptance(quote: Quote) -> list[Invoice]:
    """The client accepted the quote: where the studio chose so, its deposit invoice goes out by itself. A deposit
    drafted beforehand is sent; with nothing drafted, the deposit (the studio's share, due in its days) and the
    final invoice (due with the project, else in 30 days) are drafted, and the deposit is sent."""
    rules = settings()
    if not rules.send_deposit_on_acceptance:
        return []
    waiting = list(
        db.session.scalars(
            select(Invoice).where(
                Invoice.quote_id == quote.id,
                Invoice.kind == InvoiceKind.DEPOSIT,
                Invoice.status == InvoiceStatus.DRAFT,
            )
        )
    )
    if not waiting and not already_invoiced(quote) and quote.total_minor > 0:
        today = studio_today(quote.tenant_id)
        deposit_due = today + timedelta(days=rules.deposit_due_days)
        project_due = quote.project.due_on if quote.project is not None else None
        final_due = max(project_due or today + timedelta(days=30), deposit_due)
        share = Decimal(rules.deposit_percent)
        parts = [{"kind": InvoiceKind.DEPOSIT, "percent": share, "due_on": deposit_due}]
        if share < 100:
            parts.append({"kind": InvoiceKind.FINAL, "percent": 100 - share, "due_on": final_due})
        waiting = [i for i in _schedule(quote, parts, None) if i.kind == InvoiceKind.DEPOSIT]
    for invoice in waiting:
        release(invoice, None)
    return waiting


def already_invoiced(document: Contract | Quote) -> bool:
    """A quote or contract is invoiced once (void invoices do not count); a quote's contract invoices for it."""
    column = Invoice.contract_id if isinstance(document, Contract) else Invoice.quote_id
    query = select(Invoice.id).where(column == document.id, Invoice.status != InvoiceStatus.VOID)
    if isinstance(document, Quote):
        query = query.union(
            select(Invoice.id)
            .join(Contract, (Contract.tenant_id == Invoice.tenant_id) & (Contract.id == Invoice.contract_id))
            .where(Contract.quote_id == document.id, Invoice.status != InvoiceStatus.VOID)
        )
    return db.session.execute(query.limit(1)).first() is not None


def update_invoice(membership: Membership, invoice: Invoice, data: dict[str, Any]) -> None:
    require(membership, Perm.INVOICES)
    if (read := data.pop("version", None)) is not None and read != invoice.version:
        raise Conflict()
    if invoice.status != InvoiceStatus.DRAFT:
        raise refuse(_("Only a draft invoice can be changed; void it and issue a new one."))
    changes = [
        {"what": key, "old": _plain(getattr(invoice, key)), "new": _plain(data[key])}
        for key in ("title", "amount_minor", "due_on", "kind")
        if key in data and data[key] is not None and data[key] != getattr(invoice, key)
    ]
    for key in ("title", "amount_minor", "due_on", "kind"):
        if key in data and data[key] is not None:
            setattr(invoice, key, data[key])
    if changes:
        emit(
            "invoice.revised",
            subject=invoice,
            client=invoice.client,
            actor_id=membership.user_id,
            invoice=invoice.number,
            amount=invoice.amount_minor,
            changes=changes,
        )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def send_invoice(membership: Membership, invoice: Invoice) -> list[Recipient]:
    """Sent by a person: the client's portal users are told (returned, for the page to say who)."""
    require(membership, Perm.INVOICES)
    if invoice.status != InvoiceStatus.DRAFT:
        raise refuse(_("This invoice was already sent."))
    return release(invoice, membership.user_id)


def recount(invoice: Invoice) -> None:
    """Paid is what was received less what went back (refunds through Stripe); the status follows."""
    # `or 0`: a payment added in this transaction has no column default until it is flushed.
    invoice.paid_minor = sum(p.amount_minor - (p.refunded_minor or 0) for p in invoice.payments)
    if invoice.status == InvoiceStatus.VOID:
        return
    if invoice.paid_minor >= invoice.amount_minor:
        invoice.status = InvoiceStatus.PAID
    elif invoice.paid_minor > 0:
        invoice.status = InvoiceStatus.PARTLY_PAID
    else:
        invoice.status = InvoiceStatus.SENT


def release(invoice: Invoice, actor_id: uuid.UUID | None) -> list[Recipient]:
    """Sent: by a person, by the client's approval of the draft it waits for, or by the client's acceptance of the
    quote whose deposit it is. The client is told."""
    from saas.billing.services.reminders import tell_sent

    invoice.status, invoice.sent_at = InvoiceStatus.SENT, utcnow()
    invoice.release_on_draft_id = None
    emit(
        "invoice.sent",
        subject=invoice,
        client=invoice.client,
        actor_id=actor_id,
        invoice=invoice.number,
        amount=invoice.amount_minor,
    )
    return tell_sent(invoice)


def gate_on_draft(membership: Membership, invoice: Invoice, draft_id: uuid.UUID | None) -> None:
    """Approval-gated billing: the invoice goes out by itself when the client approves this draft version."""
    require(membership, Perm.INVOICES)
    if invoice.status != InvoiceStatus.DRAFT:
        raise refuse(_("This invoice was already sent."))
    if draft_id is None:
        invoice.release_on_draft_id = None
        return
    draft = next((d for d in drafts_to_wait_for(invoice) if d.id == draft_id), None)
    if draft is None:
        raise refuse(_("Choose a draft of this invoice's project that is not yet approved."), "draft_id")
    invoice.release_on_draft_id = draft.id


def drafts_to_wait_for(invoice: Invoice) -> list:
    """The draft versions of the invoice's project that an unsent invoice can wait for: not yet decided."""
    if invoice.status != InvoiceStatus.DRAFT or invoice.project_id is None:
        return []
    from saas.proofing.models import DraftStatus
    from saas.proofing.services import drafts_of

    return [d for d in drafts_of(invoice.project_id) if d.status in (DraftStatus.PREPARING, DraftStatus.IN_REVIEW)]


def release_on_approval(draft_id: uuid.UUID) -> int:
    """The client approved this draft: send every invoice that waited for it."""
    waiting = db.session.scalars(
        select(Invoice).where(Invoice.release_on_draft_id == draft_id, Invoice.status == InvoiceStatus.DRAFT)
    ).all()
    for invoice in waiting:
        release(invoice, None)
    return len(waiting)


def void_invoice(membership: Membership, invoice: Invoice, reason: str) -> None:
    require(membership, Perm.INVOICES)
    if invoice.status == InvoiceStatus.VOID:
        raise refuse(_("This invoice is already void."))
    if invoice.paid_minor:
        raise refuse(_("This invoice has payments recorded; it cannot be voided."))
    if not reason.strip():
        raise refuse(_("Give a reason for voiding the invoice."), "reason")
    invoice.status, invoice.void_reason = InvoiceStatus.VOID, reason.strip()[:300]
    emit(
        "invoice.voided",
        subject=invoice,
        client=invoice.client,
        actor_id=membership.user_id,
        invoice=invoice.number,
        amount=invoice.amount_minor,
        reason=invoice.void_reason,
    )


def record_payment(membership: Membership, invoice: Invoice, data: dict[str, Any]) -> Payment:
    require(membership, Perm.PAYMENTS)
    # Payments on one invoice are taken one at a time: each sees the balance the one before it left, so a
    # parallel one is refused as over the balance (422) or, when it named the version it read, as stale (409).
    lock_row(db.session, invoice, "payments")
    if (read := data.pop("version", None)) is not None and read != invoice.version:
        raise Conflict()
    if invoice.status == InvoiceStatus.VOID:
        raise refuse(_("This invoice is void; it takes no payments."))
    if invoice.status == InvoiceStatus.DRAFT:
        raise refuse(_("Send the invoice before recording payments on it."))
    amount = data["amount_minor"]
    if amount <= 0:
        raise refuse(_("Enter an amount above zero."), "amount")
    if amount > invoice.balance_minor:
        raise refuse(_("This is more than the balance due."), "amount")
    payment = Payment(
        invoice_id=invoice.id,
        amount_minor=amount,
        method=data["method"],
        paid_on=data.get("paid_on") or studio_today(membership.tenant_id),
        reference=data.get("reference"),
        recorded_by_id=membership.user_id,
    )
    invoice.payments.append(payment)
    recount(invoice)
    db.session.flush()
    emit(
        "payment.recorded",
        subject=payment,
        client=invoice.client,
        actor_id=membership.user_id,
        invoice=invoice.number,
        amount=amount,
    )
    return payment
