"""The records a studio may add fields to. A seam: the domain owning the records registers them at start-up from
its listeners.py (clients: client and contact; projects: project; tickets: ticket), so this floor never imports
the floors above it.

    register_entity(Entity("client", N_("Clients"), Client))

The model must have `id` and a `custom_fields` JSON column (saas.fields.models.VALUES) and be TenantScoped.
Records deleted through the ORM lose their rows in the value index with them; so do records the database deletes
with their parent (a client's contacts, by ON DELETE CASCADE, which no ORM event sees), when the entity names the
column that points at that parent:

    register_entity(Entity("contact", N_("Contacts"), Contact, deleted_with=(Client, Contact.client_id)))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, select

ENTITIES: dict[str, Entity] = {}


@dataclass(frozen=True)
class Entity:
    name: str  # stored in field_definitions.entity: never rename
    label: str  # msgid, plural: "Clients"
    model: Any  # the mapped class holding `custom_fields`
    # A parent whose deletion cascades to these records in the database: (its model, our column pointing at it).
    deleted_with: tuple[Any, Any] | None = None


def register_entity(entity: Entity) -> Entity:
    if entity.name in ENTITIES:
        return ENTITIES[entity.name]
    ENTITIES[entity.name] = entity
    event.listen(entity.model, "after_delete", _forget_values)
    if entity.deleted_with is not None:
        event.listen(entity.deleted_with[0], "before_delete", _forget_values_of_parts(entity))
    return entity


def entity_of(name: str) -> Entity | None:
    return ENTITIES.get(name)


def _forget_values(_mapper: Any, connection: Any, target: Any) -> None:
    from saas.fields.models import FieldValue

    connection.execute(
        delete(FieldValue).where(FieldValue.tenant_id == target.tenant_id, FieldValue.record_id == target.id)
    )


def _forget_values_of_parts(entity: Entity) -> Any:
    """Before the parent's row goes (and the database takes these records with it): their value index rows."""

    def forget(_mapper: Any, connection: Any, parent: Any) -> None:
        from saas.fields.models import FieldValue

        parts = select(entity.model.id).where(entity.deleted_with[1] == parent.id)
        connection.execute(
            delete(FieldValue).where(FieldValue.tenant_id == parent.tenant_id, FieldValue.record_id.in_(parts))
        )

    return forget
