"""The client timeline: every interaction and every change, newest first. Changes arrive as domain events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from saas.clients.models import Client, ClientEvent, Interaction
from saas.events import listen
from saas.extensions import db

TIMELINE_LIMIT = 100


@listen("client.*")
def record_change(name: str, payload: dict[str, Any]) -> None:
    client: Client = payload["client"]
    data = {k: v for k, v in payload.items() if k not in ("client", "actor_id")}
    db.session.add(ClientEvent(client_id=client.id, actor_id=payload.get("actor_id"), kind=name, data=data))


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # an interaction kind (call, wechat...) or a change (client.created, client.owner_changed...)
    interaction: Interaction | None = None
    event: ClientEvent | None = None


def timeline(client: Client, only: str | None = None) -> list[Entry]:
    """Newest first; `only` is an interaction kind, or "changes" for changes alone."""
    entries: list[Entry] = []
    if only != "changes":
        # The page already has the client: do not join it again into each of a hundred rows.
        query = select(Interaction).where(Interaction.client_id == client.id).options(lazyload(Interaction.client))
        if only:
            query = query.where(Interaction.kind == only)
        query = query.order_by(Interaction.occurred_at.desc()).limit(TIMELINE_LIMIT)
        entries += [Entry(i.occurred_at, i.kind, interaction=i) for i in db.session.scalars(query)]
    if only in (None, "changes"):
        query = (
            select(ClientEvent)
            .where(ClientEvent.client_id == client.id)
            .order_by(ClientEvent.created_at.desc())
            .limit(TIMELINE_LIMIT)
        )
        entries += [Entry(e.created_at, e.kind, event=e) for e in db.session.scalars(query)]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:TIMELINE_LIMIT]
