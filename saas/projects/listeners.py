"""What projects plug into the floors below: a new studio's pipeline, and projects as holders of files."""

from __future__ import annotations

from typing import Any

from saas.events import listen
from saas.fields.entities import Entity, register_entity
from saas.files.owners import register_owner
from saas.projects.access import ProjectFiles
from saas.projects.models import Project
from saas.projects.pipeline import seed_pipeline
from saas.schemas import N_

register_owner("project", ProjectFiles())
register_entity(Entity("project", N_("Projects"), Project))  # studios may add their own fields (saas.fields)


@listen("studio.created")
def seed_the_pipeline(_name: str, payload: dict[str, Any]) -> None:
    seed_pipeline(payload["subject"])
