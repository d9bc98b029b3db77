"""/api/v1/custom-fields: the studio's own fields, so a program can build its `custom_fields` payloads (the keys,
types, options and value shapes), read only; definitions are managed in the workspace (Studio → Custom fields)."""

from __future__ import annotations

from flask_babel import gettext as _

from saas.api.http import api, principal
from saas.api.schemas import FieldDefinitionOut, FieldListQuery
from saas.errors import ValidationFailed
from saas.fields import services, values
from saas.fields.entities import ENTITIES
from saas.fields.models import FieldDefinition


@api.get(
    "/custom-fields",
    summary="The studio's own fields the token's role sees, per record type, in their order",
    query=FieldListQuery,
    response=FieldDefinitionOut,
    many=True,
)
def custom_fields(query: dict[str, str]) -> list[FieldDefinition]:
    """Each record's `custom_fields` object (clients, contacts, projects) holds these keys. Client lists filter
    on them with `cf.<key>=value`, `cf.<key>.contains=…`, `cf.<key>.min=…` / `cf.<key>.max=…` and
    `cf.<key>.empty=1|0`, as `filters` says for each field."""
    entity = query["entity"]
    if entity and entity not in ENTITIES:
        raise ValidationFailed({"entity": [_("Choose one of: %(names)s.", names=", ".join(ENTITIES))]})
    role = principal().role
    return [d for name in ([entity] if entity else list(ENTITIES)) for d in values.visible(role, name)]


def _visible_definition(actor: object, definition_id: str) -> FieldDefinition:
    from werkzeug.exceptions import NotFound

    found = services.get_definition(actor, definition_id)
    if found.archived_at is not None or not values.may_see(principal().role, found):
        raise NotFound()
    return found


@api.get(
    "/custom-fields/<definition_id>",
    summary="One of the studio's own fields",
    resolves={"definition": _visible_definition},
    response=FieldDefinitionOut,
)
def custom_field(definition: FieldDefinition) -> FieldDefinition:
    return definition
