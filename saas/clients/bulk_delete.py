"""Clients deleted by one statement (`delete(Client).where(…)`, an import undone) take their follow-ups, payments
and the rest with them by ON DELETE CASCADE, out of the unit of work's sight. What keeps figures about those rows
(the day rollups of follow-ups and money) registers here and is told, before the statement runs, which clients
are going: one listener for every such statement, whoever listens. Clients deleted one by one through the session
are seen by the flush as usual."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session

from saas.clients.models import Client
from saas.isolation import TenantSession

# (session, the studio, a SELECT of the ids of the clients about to go)
Handler = Callable[[Session, uuid.UUID, Select], None]
_handlers: list[Handler] = []


def before_clients_deleted(handler: Handler) -> Handler:
    """Register at import time (a decorator): called before every bulk delete of a studio's clients."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


@event.listens_for(TenantSession, "do_orm_execute")
def _bulk_client_delete(state: Any) -> None:
    if not state.is_delete or state.bind_mapper is None or state.bind_mapper.class_ is not Client:
        return
    tenant_id = state.session.info.get("tenant_id")
    if tenant_id is None:
        return  # the scope refuses the statement itself
    # Run by handlers on the connection (Core, outside the ORM's scope): the studio is named here, RLS holds too.
    doomed = select(Client.id).where(Client.tenant_id == tenant_id)
    if state.statement.whereclause is not None:
        doomed = doomed.where(state.statement.whereclause)
    for handler in _handlers:
        handler(state.session, tenant_id, doomed)
