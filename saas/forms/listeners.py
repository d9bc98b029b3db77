"""What forms plug into the floors below: the owner kind of a submission's uploads (saas/files/owners.py), the
studio's own fields as targets of questions (saas/forms/targets.py), and the feedback form sent when a project is
won (the `project.stage_changed` event)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from flask import has_app_context

from saas.errors import NotAllowed
from saas.events import listen
from saas.extensions import db
from saas.fields import values as custom
from saas.files.kinds import Kind
from saas.files.models import StoredFile
from saas.files.owners import Actor, Placement, register_owner
from saas.forms.answers import forget_unclaimed_uploads
from saas.forms.submit import OWNER_KIND
from saas.forms.targets import Target, register_source
from saas.i18n import current_locale
from saas.scheduling import periodic
from saas.tenants.roles import Perm, Role, has_perm


class SubmissionFiles:
    """A visitor's uploads: read by those who read the submissions (who see every client); never attached to by
    staff (only the public form stores them), removed by whoever may build forms."""

    def place(self, actor: Actor, owner_id: uuid.UUID | None, kind: Kind) -> Placement:
        raise NotAllowed()

    def may_open(self, actor: Actor, stored: StoredFile) -> bool:
        return has_perm(actor.role, Perm.CLIENTS_ALL)

    def may_change(self, actor: Actor, stored: StoredFile) -> bool:
        return has_perm(actor.role, Perm.STUDIO_SETTINGS)


register_owner(OWNER_KIND, SubmissionFiles())
periodic("form-uploads", 3600, forget_unclaimed_uploads)  # direct uploads no submission claimed

# Which forms may fill each record's own fields: a lead's client and contact come from intake-like forms, a
# project's from the forms sent for a project.
_CUSTOM_KINDS = {
    "client": ("intake", "custom", "requirements"),
    "contact": ("intake", "custom", "requirements"),
    "project": ("requirements", "feedback", "custom"),
}


def custom_field_targets() -> Iterator[Target]:
    """The current studio's live custom fields as targets: a question of the field's type may fill it. Outside a
    request or a job for a studio there is no studio, so no fields of its own."""
    if not has_app_context() or db.session.info.get("tenant_id") is None:
        return
    language = current_locale()
    for entity, kinds in _CUSTOM_KINDS.items():
        for definition in custom.visible(Role.OWNER, entity):
            key = f"{entity}.custom.{definition.key}"
            label = f"{definition.label(language)} ({entity})"
            options = tuple(definition.choices) if definition.type in ("choice", "choices") else ()
            yield Target(key, f"{entity}_custom", definition.key, label, (definition.type,), kinds, choices=options)


register_source(custom_field_targets)


@listen("project.stage_changed")
def feedback_when_won(_name: str, payload: dict[str, Any]) -> None:
    from saas.forms.requests import ask_for_feedback
    from saas.projects.models import StageKind

    project = payload["subject"]
    if project.stage.kind == StageKind.WON:
        ask_for_feedback(project)
