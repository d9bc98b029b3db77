"""What the fields domain plugs into the floors below: the words for a field key lost to a parallel request."""

from __future__ import annotations

from saas.schemas import N_
from saas.web.transaction import duplicate_message

duplicate_message("uq_field_definitions_tenant_id_entity_key", N_("Another field of this record already has this key."))
