"""Quote rules: lines and totals computed here (never trusted from the browser), revisions kept, a discount
beyond the studio's threshold approved by a manager before the quote can be sent, and the client's decision.

draft → (pending_approval → approved) → sent → accepted | declined. A quote past its validity date is
expired: it can be neither sent nor accepted until it is revised with a new date.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from saas.billing.models import Quote, QuoteLine, QuoteRevision, QuoteStatus
from saas.billing.services.common import next_number, refuse, settings
from saas.billing.totals import LineInput, quote_totals
from saas.clients.access import client_for_form
from saas.db import set_quietly, utcnow
from saas.errors import Conflict
from saas.events import emit
from saas.extensions import db
from saas.notify.services import Recipient, notify
from saas.portal_accounts.queries import client_recipients
from saas.projects.access import project_id_for_form
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.queries import studio_today
from saas.tenants.roles import Perm, require
from saas.web.urls import site_path

EDITABLE = (QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED, QuoteStatus.SENT)


def needs_approval(quote: Quote) -> bool:
    return quote.max_discount_bp > settings().discount_threshold_bp


def _apply_lines(quote: Quote, lines: list[dict[str, Any]]) -> None:
    inputs = [
        LineInput(Decimal(line["quantity"]), line["unit_price_minor"], line.get("discount_bp") or 0) for line in lines
    ]
    totals = quote_totals(inputs, quote.tax_rate_bp)
    quote.lines = [
        QuoteLine(
            position=n,
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit=line.get("unit"),
            unit_price_minor=line["unit_price_minor"],
            discount_bp=line.get("discount_bp") or 0,
            total_minor=computed.total_minor,
        )
        for n, (line, computed) in enumerate(zip(lines, totals.lines, strict=True))
    ]
    quote.subtotal_minor, quote.discount_minor = totals.subtotal_minor, totals.discount_minor
    quote.tax_minor, quote.total_minor = totals.tax_minor, totals.total_minor
    quote.max_discount_bp = totals.max_discount_bp


def create_quote(membership: Membership, data: dict[str, Any]) -> Quote:
    require(membership, Perm.QUOTES)
    client = client_for_form(membership, data["client_id"])
    project_id = project_id_for_form(membership, data.get("project_id"), client.id)
    defaults = settings()
    today = studio_today(membership.tenant_id)
    quote = Quote(
        client_id=client.id,
        project_id=project_id,
        number=next_number("Q", today),
        title=data["title"],
        language=data.get("language") or _studio_language(membership),
        valid_until=data.get("valid_until") or today + timedelta(days=defaults.quote_valid_days),
        tax_rate_bp=defaults.tax_rate_bp if data.get("tax_rate_bp") is None else data["tax_rate_bp"],
        notes=data.get("notes"),
        created_by_id=membership.user_id,
    )
    _apply_lines(quote, data.get("lines") or [])
    db.session.add(quote)
    db.session.flush()
    emit(
        "quote.created",
        subject=quote,
        client=client,
        actor_id=membership.user_id,
        quote=quote.number,
        amount=quote.total_minor,
        changes=[_line_change(None, line) for line in _snapshot(quote)["lines"]],
    )
    return quote


def _studio_language(membership: Membership) -> str:
    """Quotes are written in the studio's language unless chosen otherwise for the client."""
    locale = db.session.get(Tenant, membership.tenant_id).locale
    return locale if locale in ("zh_CN", "en") else "zh_CN"


def _snapshot(quote: Quote) -> dict[str, Any]:
    return {
        "title": quote.title,
        "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
        "tax_rate_bp": quote.tax_rate_bp,
        "lines": [
            {
                "description": line.description,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price_minor": line.unit_price_minor,
                "discount_bp": line.discount_bp,
                "total_minor": line.total_minor,
            }
            for line in quote.lines
        ],
        "subtotal_minor": quote.subtotal_minor,
        "discount_minor": quote.discount_minor,
        "tax_minor": quote.tax_minor,
        "total_minor": quote.total_minor,
    }


def update_quote(membership: Membership, quote: Quote, data: dict[str, Any]) -> None:
    """Editing a quote that was sent (or approved) keeps that version as a revision and starts a new draft:
    the client's copy and the manager's approval were for the old numbers."""
    require(membership, Perm.QUOTES)
    if (read := data.pop("version", None)) is not None and read != quote.version:
        raise Conflict()
    if quote.status not in EDITABLE:
        raise refuse(_("An accepted or declined quote cannot be changed. Copy it into a new quote instead."))
    before = _snapshot(quote)
    if quote.status in (QuoteStatus.SENT, QuoteStatus.APPROVED):
        db.session.add(
            QuoteRevision(
                quote_id=quote.id,
                revision=quote.revision,
                status=quote.status,
                snapshot=_snapshot(quote),
                created_by_id=membership.user_id,
            )
        )
        quote.revision += 1
    for key in ("title", "language", "valid_until", "notes", "tax_rate_bp"):
        if key in data and data[key] is not None:
            setattr(quote, key, data[key])
    if "project_id" in data:
        quote.project_id = project_id_for_form(membership, data["project_id"], quote.client_id)
    _apply_lines(quote, data["lines"] if "lines" in data else [_line_data(line) for line in quote.lines])
    quote.status = QuoteStatus.DRAFT
    quote.approved_by_id = quote.approved_at = None
    if changes := revision_changes(before, _snapshot(quote)):
        emit(
            "quote.revised",
            subject=quote,
            client=quote.client,
            actor_id=membership.user_id,
            quote=quote.number,
            amount=quote.total_minor,
            changes=changes,
        )


def _line_change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """One line added, removed or changed: its quantity, unit price and discount before and after."""

    def shown(line: dict[str, Any] | None) -> dict[str, Any] | None:
        if line is None:
            return None
        keys = ("quantity", "unit_price_minor", "discount_bp", "total_minor")
        return {k: line[k] for k in keys}

    return {"what": "line", "line": (new or old or {}).get("description", ""), "old": shown(old), "new": shown(new)}


def revision_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What a revision changed, for the audit trail and the timeline: fields and totals before → after, and each
    line added, removed or repriced (matched by description)."""
    changes: list[dict[str, Any]] = [
        {"what": key, "old": before[key], "new": after[key]}
        for key in ("title", "valid_until", "tax_rate_bp", "subtotal_minor", "discount_minor", "total_minor")
        if before[key] != after[key]
    ]
    old_lines = {line["description"]: line for line in before["lines"]}
    new_lines = {line["description"]: line for line in after["lines"]}
    significant = ("quantity", "unit_price_minor", "discount_bp")
    for name, line in new_lines.items():
        old = old_lines.get(name)
        if old is None or any(str(old[k]) != str(line[k]) for k in significant):
            changes.append(_line_change(old, line))
    changes += [_line_change(line, None) for name, line in old_lines.items() if name not in new_lines]
    return changes


def _line_data(line: QuoteLine) -> dict[str, Any]:
    return {
        "description": line.description,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price_minor": line.unit_price_minor,
        "discount_bp": line.discount_bp,
    }


def request_approval(membership: Membership, quote: Quote) -> None:
    require(membership, Perm.QUOTES)
    if quote.status != QuoteStatus.DRAFT:
        raise refuse(_("Only a draft goes for approval."))
    if not needs_approval(quote):
        raise refuse(_("This quote's discounts are within the studio's limit; send it directly."))
    quote.status = QuoteStatus.PENDING_APPROVAL
    emit(
        "quote.approval_requested",
        subject=quote,
        client=quote.client,
        actor_id=membership.user_id,
        quote=quote.number,
        amount=quote.total_minor,
        discount=quote.max_discount_bp,
    )


def approve_discount(membership: Membership, quote: Quote) -> None:
    require(membership, Perm.DISCOUNTS)
    if quote.status != QuoteStatus.PENDING_APPROVAL:
        raise refuse(_("This quote is not waiting for an approval."))
    quote.status = QuoteStatus.APPROVED
    quote.approved_by_id, quote.approved_at = membership.user_id, utcnow()
    emit(
        "quote.approved",
        subject=quote,
        client=quote.client,
        actor_id=membership.user_id,
        quote=quote.number,
        amount=quote.total_minor,
        discount=quote.max_discount_bp,
    )


def reject_discount(membership: Membership, quote: Quote) -> None:
    require(membership, Perm.DISCOUNTS)
    if quote.status != QuoteStatus.PENDING_APPROVAL:
        raise refuse(_("This quote is not waiting for an approval."))
    quote.status = QuoteStatus.DRAFT
    emit(
        "quote.approval_refused",
        subject=quote,
        client=quote.client,
        actor_id=membership.user_id,
        quote=quote.number,
        amount=quote.total_minor,
        discount=quote.max_discount_bp,
    )


def send_quote(membership: Membership, quote: Quote) -> list[Recipient]:
    """Sent: the client's portal users are e-mailed a link to it and see it in their bell. Returns who was told."""
    require(membership, Perm.QUOTES)
    today = studio_today(membership.tenant_id)
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.APPROVED):
        raise refuse(_("Only a draft or an approved quote can be sent."))
    if not quote.lines:
        raise refuse(_("Add at least one line before sending."))
    if quote.is_expired(today):
        raise refuse(
            _(
                "This quote expired on %(date)s. Revise it with a new validity date first.",
                date=quote.valid_until.isoformat(),
            )
        )
    if quote.status == QuoteStatus.DRAFT and needs_approval(quote):
        raise refuse(
            _(
                "A discount of more than %(percent)s%% needs a manager's approval before sending.",
                percent=_percent(settings().discount_threshold_bp),
            )
        )
    quote.status = QuoteStatus.SENT
    quote.sent_at = utcnow()
    recipients = client_recipients(quote.client_id)
    emit(
        "quote.sent",
        subject=quote,
        client=quote.client,
        actor_id=membership.user_id,
        quote=quote.number,
        amount=quote.total_minor,
        recipients=len(recipients),
    )
    tell_sent(quote, recipients)
    return recipients


def _data(quote: Quote, tenant: Tenant) -> dict[str, Any]:
    return {
        "studio": tenant.name,
        "quote": quote.number,
        "title": quote.title,
        "amount_minor": quote.total_minor,
        "currency": tenant.currency,
        "valid_until": quote.valid_until.isoformat() if quote.valid_until else "",
    }


def tell_sent(quote: Quote, recipients: list[Recipient] | None = None) -> None:
    """The client's people who can open the portal hear of it in their bell and by e-mail, with a link to it."""
    tenant = db.session.get(Tenant, quote.tenant_id)
    link = site_path("portal.quote", slug=tenant.slug, quote_id=quote.id)
    people = client_recipients(quote.client_id) if recipients is None else recipients
    notify(people, "quote_sent", _data(quote, tenant), link, email=True)


def opened_in_portal(quote: Quote, name: str) -> None:
    """A portal user opened the quote: the first and the last time are kept for the studio, without moving the
    quote's version (a client reading it never makes a colleague's edit stale). The first opening of a sent quote
    goes on the client's timeline, and whoever wrote the quote hears of it."""
    now = utcnow()
    first = quote.portal_first_opened_at is None
    values: dict[str, Any] = {"portal_last_opened_at": now}
    if first:
        values |= {"portal_first_opened_at": now, "portal_opened_by": name[:120]}
    set_quietly(db.session, quote, **values)
    if not first or quote.status != QuoteStatus.SENT:
        return
    emit("quote.opened", subject=quote, client=quote.client, actor_id=None, quote=quote.number, person=name)
    if quote.created_by_id is not None:
        author = db.session.get(User, quote.created_by_id)
        tenant = db.session.get(Tenant, quote.tenant_id)
        if author is not None:
            notify(
                [Recipient(user_id=author.id, email=author.email, locale=author.locale or "zh_CN")],
                "quote_opened",
                _data(quote, tenant) | {"person": name},
                site_path("staff.quote", quote_id=quote.id),
            )


def _percent(bp: int) -> str:
    return f"{Decimal(bp) / 100:g}"


def decide(membership: Membership | None, quote: Quote, accepted: bool, name: str, ip: str | None) -> None:
    """The client's answer, recorded by staff on their behalf (or, later, given in the portal): who, when, IP."""
    if membership is not None:
        require(membership, Perm.QUOTES)
    if quote.status != QuoteStatus.SENT:
        raise refuse(_("Only a sent quote can be accepted or declined."))
    if accepted and quote.is_expired(studio_today(quote.tenant_id)):
        raise refuse(_("This quote has expired and can no longer be accepted."))
    quote.status = QuoteStatus.ACCEPTED if accepted else QuoteStatus.DECLINED
    quote.decided_at, quote.decided_by, quote.decided_ip = utcnow(), name[:200], ip
    emit(
        "quote.accepted" if accepted else "quote.declined",
        subject=quote,
        client=quote.client,
        actor_id=membership.user_id if membership else None,
        quote=quote.number,
        person=name,
        amount=quote.total_minor,
    )
