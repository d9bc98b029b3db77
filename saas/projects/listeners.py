"""What projects plug into the floors below: a new studio's pipeline, and projects as holders of files."""

from __future__ import annotations

from typing import Any

from saas.events import listen
from saas.files.owners import register_owner
from saas.projects.access import ProjectFiles
from saas.projects.pipeline import seed_pipeline

register_owner("project", ProjectFiles())


@listen("studio.created")
def seed_the_pipeline(_name: str, payload: dict[str, Any]) -> None:
    seed_pipeline(payload["subject"])
