"""What the clients domain listens to: everything that happens to a client or to what hangs off it — its
contacts, projects, quotes, contracts, invoices, payments, drafts, portal access — lands on its timeline, and a
visit checked out of becomes a follow-up. The events come from every domain above this one; they are named here,
never imported."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from saas.clients.models import Client, ClientEvent, Contact, Interaction, InteractionKind
from saas.db import set_quietly, utcnow
from saas.events import listen
from saas.extensions import db
from saas.fields.entities import Entity, register_entity
from saas.schemas import N_

# Studios may add their own fields to clients and contacts (saas.fields).
register_entity(Entity("client", N_("Clients"), Client))
register_entity(Entity("contact", N_("Contacts"), Contact, deleted_with=(Client, Contact.client_id)))

TIMELINE_EVENTS = (
    "client.created",
    "client.updated",
    "client.owner_changed",
    "client.status_changed",
    "client.archived",
    "client.restored",
    "client.shared",
    "client.unshared",
    "contact.added",
    "contact.updated",
    "contact.removed",
    "project.created",
    "project.stage_changed",
    "project.updated",
    "quote.created",
    "quote.revised",
    "quote.approved",
    "quote.sent",
    "quote.opened",
    "quote.accepted",
    "quote.declined",
    "contract.created",
    "contract.submitted",
    "contract.approved",
    "contract.rejected",
    "contract.signed",
    "invoice.created",
    "invoice.sent",
    "invoice.resent",
    "invoice.reminded",
    "invoice.voided",
    "payment.recorded",
    "payment.refunded",
    "refund.requested",
    "portal_user.invited",
    "portal_user.revoked",
    "draft.submitted",
    "draft.decided",
    "ticket.created",
)
NOT_DATA = ("client", "actor_id", "subject")  # the rest of an event's payload is what the timeline shows


DOCUMENTS = ("quote", "contract", "invoice")  # their entries link to the document


@listen(*TIMELINE_EVENTS)
def record_on_timeline(name: str, payload: dict[str, Any]) -> None:
    client: Client = payload["client"]
    data = {k: v for k, v in payload.items() if k not in NOT_DATA}
    if name.split(".", 1)[0] in DOCUMENTS and payload.get("subject") is not None:
        data["document_id"] = str(payload["subject"].id)
    db.session.add(ClientEvent(client_id=client.id, actor_id=payload.get("actor_id"), kind=name, data=data))


@listen("visit.checked_out")
def log_visit_as_follow_up(_name: str, payload: dict[str, Any]) -> None:
    """A visit the worker checked out of is a follow-up with the client: it shows on the timeline with what was
    recorded, and the client's last contact moves (without moving its version)."""
    client: Client = payload["client"]
    at = datetime.fromisoformat(payload["at"])
    due = payload.get("next_action_due")
    db.session.add(
        Interaction(
            client_id=client.id,
            author_id=payload.get("actor_id"),
            kind=InteractionKind.VISIT,
            occurred_at=at,
            summary=payload.get("summary") or "",
            outcome=payload.get("outcome"),
            next_action=payload.get("next_action"),
            next_action_due=date.fromisoformat(due) if due else None,
        )
    )
    if client.last_contact_at is None or client.last_contact_at < at:
        set_quietly(db.session, client, last_contact_at=at, updated_at=utcnow())
