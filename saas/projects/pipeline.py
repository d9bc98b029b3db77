"""A studio's pipeline stages: seeded on sign-up, then the admins' to rename, reorder, add and remove.

Open stages are the board's columns, in order; the won and lost outcomes close a project and cannot be
removed (only renamed). A stage with projects in it is never dropped silently: the studio moves them first.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.errors import ValidationFailed
from saas.extensions import db
from saas.ids import parse_uuid
from saas.projects.defaults import DEFAULT_STAGES, stage_name
from saas.projects.models import PipelineStage, Project, StageKind
from saas.tenants import audit
from saas.tenants.models import Membership, Tenant
from saas.tenants.roles import Perm, require

MAX_STAGES = 20


def seed_pipeline(tenant: Tenant) -> list[PipelineStage]:
    stages = [
        PipelineStage(tenant_id=tenant.id, name=stage_name(zh, en, tenant.locale), key=key, kind=kind, position=n)
        for n, (key, kind, zh, en) in enumerate(DEFAULT_STAGES)
    ]
    db.session.add_all(stages)
    return stages


def stages() -> list[PipelineStage]:
    """Open stages in board order, then the outcomes."""
    query = select(PipelineStage).order_by(PipelineStage.kind != StageKind.OPEN, PipelineStage.position)
    return list(db.session.scalars(query))


def stage_by_key(key: str) -> PipelineStage | None:
    return db.session.scalar(select(PipelineStage).where(PipelineStage.key == key))


def first_open_stage() -> PipelineStage:
    found = next((s for s in stages() if s.kind == StageKind.OPEN), None)
    if found is None:  # the last open stage cannot be removed, so this means a broken pipeline
        raise RuntimeError("studio has no open pipeline stage")
    return found


def get_stage(stage_id: Any) -> PipelineStage:
    found = db.session.get(PipelineStage, parse_uuid(stage_id))
    if found is None:
        from werkzeug.exceptions import NotFound

        raise NotFound()
    return found


def rename_stage(membership: Membership, stage: PipelineStage, name: str) -> None:
    require(membership, Perm.PIPELINE)
    if stage.name != name:
        audit.record("pipeline.stage_renamed", stage, old=stage.name, new=name)
        stage.name = name


def add_stage(membership: Membership, name: str) -> PipelineStage:
    """A new open stage, placed before the outcomes at the end of the board."""
    require(membership, Perm.PIPELINE)
    if db.session.scalar(select(func.count()).select_from(PipelineStage)) >= MAX_STAGES:
        raise ValidationFailed({"name": [_("A pipeline has at most %(n)d stages.", n=MAX_STAGES)]})
    last = db.session.scalar(select(func.max(PipelineStage.position)).where(PipelineStage.kind == StageKind.OPEN))
    stage = PipelineStage(name=name, kind=StageKind.OPEN, position=(last or 0) + 1)
    db.session.add(stage)
    audit.record("pipeline.stage_added", stage, name=name)
    return stage


def move_stage(membership: Membership, stage: PipelineStage, offset: int) -> None:
    """Swap an open stage with its neighbour on the board (offset -1: left, +1: right)."""
    require(membership, Perm.PIPELINE)
    board = [s for s in stages() if s.kind == StageKind.OPEN]
    index = next((i for i, s in enumerate(board) if s.id == stage.id), None)
    if index is None or not 0 <= index + offset < len(board):
        return
    board[index], board[index + offset] = board[index + offset], board[index]
    for position, item in enumerate(board):
        item.position = position


def remove_stage(membership: Membership, stage: PipelineStage) -> None:
    require(membership, Perm.PIPELINE)
    if stage.kind != StageKind.OPEN:
        raise ValidationFailed({"stage": [_("The won and lost outcomes stay; you can rename them.")]})
    in_stage = db.session.scalar(select(func.count()).select_from(Project).where(Project.stage_id == stage.id))
    if in_stage:
        raise ValidationFailed(
            {
                "stage": [
                    _(
                        "%(n)d projects are in %(stage)s. Move them to another stage first.",
                        n=in_stage,
                        stage=stage.name,
                    )
                ]
            }
        )
    if sum(1 for s in stages() if s.kind == StageKind.OPEN) <= 1:
        raise ValidationFailed({"stage": [_("A pipeline needs at least one open stage.")]})
    audit.record("pipeline.stage_removed", stage, name=stage.name)
    db.session.delete(stage)
