"""The records a studio may add fields to. A seam: the domain owning the records registers them at start-up from
its listeners.py (clients: client and contact; projects: project; tickets: ticket), so this floor never imports
the floors above it.

    register_entity(Entity("client", N_("Clients"), Client))

The model must have `id` and a `custom_fields` JSON column (saas.fields.models.VALUES) and be TenantScoped.
Records deleted through the ORM lose their rows in the value index with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event

ENTITIES: dict[str, Entity] = {}


@dataclass(frozen=True)
class Entity:
    name: str  # stored in field_definitions.entity: never rename
    label: str  # msgid, plural: "Clients"
    model: Any  # the mapped class holding `custom_fields`


def register_entity(entity: Entity) -> Entity:
    if entity.name in ENTITIES:
        return ENTITIES[entity.name]
    ENTITIES[entity.name] = entity
    event.listen(entity.model, "after_delete", _forget_values)
    return entity


def entity_of(name: str) -> Entity | None:
    return ENTITIES.get(name)


def _forget_values(_mapper: Any, connection: Any, target: Any) -> None:
    from saas.fields.models import FieldValue

    connection.execute(
        delete(FieldValue).where(FieldValue.tenant_id == target.tenant_id, FieldValue.record_id == target.id)
    )
