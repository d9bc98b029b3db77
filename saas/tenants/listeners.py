"""What tenants plug into the floors below: the studio itself as the holder of files that belong to nothing
more specific."""

from __future__ import annotations

from saas.files.owners import STUDIO, register_owner
from saas.tenants.access import StudioFiles

register_owner(STUDIO, StudioFiles())
