"""Applying what a phone recorded offline, exactly once.

A device queues every change with an id it mints (UUIDv4) and sends them in order when it can. Each change is
applied in its own savepoint, and its answer is kept under its id (`SyncChange`) in the same transaction as its
effect: a replay — the device never heard the answer — gets the first answer back and changes nothing; the same
id with a different body is refused. A change the server refuses (bad input, a visit reassigned or cancelled
meanwhile, a record the worker may not see) is answered with the reason and never blocks the changes after it.

Answers: `applied`; `merged` (some fields were changed on both sides: `conflicts` lists them, theirs and mine,
the rest was applied); `refused` (with `status` 403/404/409/422 and `errors`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from saas.clients import services as clients
from saas.clients.access import get_client
from saas.db import utcnow
from saas.errors import Conflict, NotAllowed, ValidationFailed
from saas.extensions import db
from saas.files.storage import Storage
from saas.schemas import load
from saas.tenants.models import Membership
from saas.visits import services
from saas.visits.access import get_visit
from saas.visits.models import SyncChange, Visit
from saas.visits.schemas import (
    ChangeSchema,
    CheckSchema,
    FollowUpSchema,
    LeadSchema,
    NewVisitSchema,
    RecordFields,
    SignatureSchema,
    UpdateSchema,
)

Answer = dict[str, Any]


def apply_batch(membership: Membership, storage: Storage, changes: list[dict[str, Any]]) -> list[Answer]:
    _one_batch_at_a_time(membership)
    kept = _kept_answers(changes)
    db.session.info[BATCH_VISITS] = {}
    answers: list[SyncChange] = []
    try:
        results = [apply_change(membership, storage, raw, kept, answers) for raw in changes]
    finally:
        db.session.info.pop(BATCH_VISITS, None)
    # The answers are written together, outside every change's savepoint: one INSERT for the batch, in the same
    # transaction as the effects (a batch that fails at commit leaves neither, and is sent again).
    db.session.add_all(answers)
    db.session.flush()
    return results


# A phone's batch touches the same few visits again and again (check-in, notes, photos' owner, check-out): each
# is looked up (and its access checked) once per batch, not once per change. Rules that must see the latest row
# (record()) still re-read it FOR UPDATE.
BATCH_VISITS = "sync.batch_visits"


def _kept_answers(changes: list[dict[str, Any]]) -> dict[uuid.UUID, SyncChange]:
    """The answers already kept for this batch's ids, in one query instead of one per change."""
    ids = set()
    for raw in changes:
        try:
            ids.add(uuid.UUID(str(raw.get("id"))))
        except (AttributeError, ValueError):
            continue
    if not ids:
        return {}
    return {kept.id: kept for kept in db.session.scalars(select(SyncChange).where(SyncChange.id.in_(ids)))}


def _one_batch_at_a_time(membership: Membership) -> None:
    """A phone that resends while its first request is still running (a flaky network) waits for it, then finds
    every change of it kept and answers them as replays. PostgreSQL: a lock for this person, held until the
    transaction ends; SQLite has one writer anyway."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        key = f"sync:{membership.tenant_id}:{membership.user_id}"
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def apply_change(
    membership: Membership,
    storage: Storage,
    raw: dict[str, Any],
    known: dict[uuid.UUID, SyncChange] | None = None,
    answers: list[SyncChange] | None = None,
) -> Answer:
    """`known`: the batch's kept answers, read at once (apply_batch); without it, this change's is looked up.
    `answers`: where apply_batch collects the answers to write at its end; without it, written now."""
    try:
        change = load(ChangeSchema(), raw)
    except ValidationFailed as exc:
        return _refused(raw.get("id") if isinstance(raw, dict) else None, 422, exc.errors)
    digest = _digest(raw)
    if known is None:
        kept = db.session.get(SyncChange, (membership.tenant_id, change["id"]))
    else:
        kept = known.get(change["id"])
    if kept is not None:
        return _replayed(kept, membership, digest)
    answer = _applied(membership, storage, change)
    kept = SyncChange(id=change["id"], user_id=membership.user_id, kind=change["kind"], digest=digest, answer=answer)
    if answers is not None:
        answers.append(kept)
    else:
        db.session.add(kept)
        db.session.flush()
    if known is not None:
        known[kept.id] = kept  # the same id twice in one batch: the second is a replay
    return answer


def _replayed(kept: SyncChange, membership: Membership, digest: str) -> Answer:
    if kept.user_id != membership.user_id or kept.digest != digest:
        message = _("This change's id was already used for another change: the phone must mint a new one.")
        return _refused(str(kept.id), 409, {"id": [message]})
    return {**kept.answer, "replayed": True}


def _digest(raw: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _applied(membership: Membership, storage: Storage, change: dict[str, Any]) -> Answer:
    """The change's effect in a savepoint: a refusal undoes whatever it had begun, and only it."""
    handler = HANDLERS[change["kind"]]
    try:
        with db.session.begin_nested():
            return handler(membership, storage, change)
    except ValidationFailed as exc:
        return _refused(change["id"], 422, exc.errors)
    except NotAllowed:
        return _refused(change["id"], 403, {"_schema": [_("Your role does not allow this.")]})
    except NotFound:
        return _refused(change["id"], 404, {"_schema": [_("This record does not exist, or is not yours to see.")]})
    except Conflict as exc:
        return _refused(change["id"], 409, {exc.field: [exc.message or _("Someone else changed this meanwhile.")]})
    except IntegrityError:
        return _refused(change["id"], 409, {"id": [_("A record with this id exists already.")]})


def _refused(change_id: Any, status: int, errors: dict[str, list[str]]) -> Answer:
    return {"id": str(change_id) if change_id else None, "result": "refused", "status": status, "errors": errors}


def _ok(change: dict[str, Any], visit: Visit | None = None, **extra: Any) -> Answer:
    answer: Answer = {"id": str(change["id"]), "result": "applied", "status": 200, **extra}
    if visit is not None:
        db.session.flush()
        answer["visit"] = visit_state(visit)
    return answer


def recorded_position(visit: Visit, which: str) -> dict[str, float | None] | None:
    """The position recorded at check-in or check-out ("check_in" / "check_out") as the phone keeps it."""
    lat, lng = getattr(visit, f"{which}_lat"), getattr(visit, f"{which}_lng")
    if lat is None or lng is None:
        return None
    return {"lat": lat, "lng": lng, "accuracy": getattr(visit, f"{which}_accuracy_m")}


def visit_state(visit: Visit) -> dict[str, Any]:
    """What the phone keeps of a visit after a change: enough to redraw it and to merge the next change."""
    return {
        "id": str(visit.id),
        "status": visit.status,
        "version": visit.version,
        "check_in_at": _iso(visit.check_in_at),
        "check_out_at": _iso(visit.check_out_at),
        **_where(visit, "check_in"),
        **_where(visit, "check_out"),
        "notes": visit.notes,
        "outcome": visit.outcome,
        "next_action": visit.next_action,
        "next_action_due": visit.next_action_due.isoformat() if visit.next_action_due else None,
        "signed_by": visit.signed_by,
        "has_signature": visit.signature_file_id is not None,
    }


def _where(visit: Visit, which: str) -> dict[str, Any]:
    return {
        f"{which}_position": recorded_position(visit, which),
        f"{which}_problem": getattr(visit, f"{which}_problem"),
        f"{which}_distance_m": getattr(visit, f"{which}_distance_m"),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _my_visit(membership: Membership, change: dict[str, Any]) -> Visit:
    """The visit the change is about: 404 for another studio's or a visit never theirs; a clear refusal for one
    given to someone else or cancelled while the worker was offline."""
    if change.get("visit_id") is None:
        raise ValidationFailed({"visit_id": [_("This field is required.")]})
    seen = db.session.info.get(BATCH_VISITS)
    visit = seen.get(change["visit_id"]) if seen is not None else None
    if visit is None:
        visit = get_visit(membership, change["visit_id"])
        if seen is not None:
            seen[change["visit_id"]] = visit
    if visit.assignee_id != membership.user_id and not services.can_schedule(membership):
        raise services.reassigned(visit)
    return visit


def _check(which: str) -> Callable[[Membership, Storage, dict[str, Any]], Answer]:
    def handle(membership: Membership, _storage: Storage, change: dict[str, Any]) -> Answer:
        visit = _my_visit(membership, change)
        if visit.assignee_id != membership.user_id:
            raise services.reassigned(visit)
        where = load(CheckSchema(), change["data"])
        at = change.get("at") or utcnow()
        (services.check_in if which == "in" else services.check_out)(membership, visit, at, where)
        return _ok(change, visit)

    return handle


def _update(membership: Membership, _storage: Storage, change: dict[str, Any]) -> Answer:
    visit = _my_visit(membership, change)
    update = load(UpdateSchema(), change["data"])
    changed = load(RecordFields(partial=True), update["changed"])
    base = load(RecordFields(partial=True), update["base"])
    conflicts = services.record(membership, visit, changed, base)
    if conflicts:
        return {**_ok(change, visit), "result": "merged", "conflicts": conflicts}
    return _ok(change, visit)


def _sign(membership: Membership, storage: Storage, change: dict[str, Any]) -> Answer:
    visit = _my_visit(membership, change)
    data = load(SignatureSchema(), change["data"])
    services.sign(membership, visit, storage, data["png"], data.get("signed_by"))
    return _ok(change, visit)


def _create_visit(membership: Membership, _storage: Storage, change: dict[str, Any]) -> Answer:
    data = load(NewVisitSchema(), change["data"])
    existing = db.session.scalar(select(Visit.id).where(Visit.id == data["id"]))
    if existing is not None:
        raise ValidationFailed({"id": [_("A visit with this id exists already.")]})
    visit = services.create_on_site(membership, data)
    return _ok(change, visit)


def _log_follow_up(membership: Membership, _storage: Storage, change: dict[str, Any]) -> Answer:
    data = load(FollowUpSchema(), change["data"])
    client = get_client(membership, data.pop("client_id"))
    interaction = clients.log_interaction(membership, client, data)
    return _ok(change, interaction_id=str(interaction.id))


def _create_lead(membership: Membership, _storage: Storage, change: dict[str, Any]) -> Answer:
    data = load(LeadSchema(), change["data"])
    contact = data.pop("contact", None)
    lead = {**data, "status": "potential", "source": "field", "tags": []}
    client = clients.create_client(membership, lead, enforce_required=False)  # the phone asks no custom fields
    if contact:
        clients.add_contact(membership, client, contact, enforce_required=False)
    return _ok(change, client_id=str(client.id))


HANDLERS: dict[str, Callable[[Membership, Storage, dict[str, Any]], Answer]] = {
    "visit.create": _create_visit,
    "visit.check_in": _check("in"),
    "visit.check_out": _check("out"),
    "visit.update": _update,
    "visit.sign": _sign,
    "interaction.log": _log_follow_up,
    "client.create": _create_lead,
}


def new_change_id() -> uuid.UUID:
    """For tests and tools; a phone mints its own (crypto.randomUUID())."""
    return uuid.uuid4()
