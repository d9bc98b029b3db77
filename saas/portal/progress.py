"""A project's progress as its client sees it in the portal: what happened, newest first — the project started,
moved from stage to stage, drafts sent for review and the reviewers' decisions, invoices sent and paid, files
shared. Nothing internal appears: no tasks, notes, costs, drafts still being prepared, unsent or void invoices,
or files the studio has not shared. One query per kind of step, whatever the project's size."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from saas.billing.models import Invoice, Payment
from saas.extensions import db
from saas.files.models import FileStatus, StoredFile
from saas.portal.queries import CLIENT_INVOICES
from saas.portal_accounts.models import PortalUser
from saas.projects.models import PipelineStage, Project, StageChange, StageKind
from saas.proofing.models import Choice, Draft, DraftStatus, Reviewer

# A reviewer's choice, told as what it made of the draft ("Approved", not "Approve").
OUTCOME = {
    Choice.APPROVE: DraftStatus.APPROVED,
    Choice.APPROVE_WITH_CHANGES: DraftStatus.APPROVED_WITH_CHANGES,
    Choice.REQUEST_CHANGES: DraftStatus.CHANGES_REQUESTED,
}


@dataclass(frozen=True)
class Step:
    """One entry of the timeline; `kind` picks its wording in the page, `facts` fill it in."""

    at: datetime
    kind: str  # started | stage | won | lost | draft_sent | decided | invoice_sent | paid | file_shared
    facts: dict[str, Any] = field(default_factory=dict)


def timeline(project: Project) -> list[Step]:
    steps = [
        *_stage_steps(project),
        *_draft_steps(project.id),
        *_decision_steps(project.id),
        *_invoice_steps(project.id),
        *_payment_steps(project.id),
        *_file_steps(project.id),
    ]
    return sorted(steps, key=lambda step: step.at, reverse=True)


def _stage_steps(project: Project) -> list[Step]:
    rows = db.session.execute(
        select(StageChange.created_at, StageChange.from_stage_id, PipelineStage.name, PipelineStage.kind)
        .join(PipelineStage, PipelineStage.id == StageChange.to_stage_id)
        .where(StageChange.project_id == project.id)
        .order_by(StageChange.created_at)
    ).all()
    steps = [Step(project.created_at, "started")]
    for at, from_stage_id, name, kind in rows:
        if from_stage_id is None:  # the stage it was created in: part of "started"
            steps[0] = Step(project.created_at, "started", {"stage": name})
        else:
            steps.append(Step(at, {StageKind.WON: "won", StageKind.LOST: "lost"}.get(kind, "stage"), {"stage": name}))
    return steps


def _draft_steps(project_id: uuid.UUID) -> list[Step]:
    rows = db.session.execute(
        select(Draft.id, Draft.number, Draft.title, Draft.submitted_at).where(
            Draft.project_id == project_id, Draft.status != DraftStatus.PREPARING, Draft.submitted_at.is_not(None)
        )
    ).all()
    return [Step(at, "draft_sent", {"draft_id": id_, "number": n, "title": title}) for id_, n, title, at in rows]


def _decision_steps(project_id: uuid.UUID) -> list[Step]:
    rows = db.session.execute(
        select(Reviewer.decided_at, Reviewer.choice, PortalUser.name, Draft.id, Draft.number)
        .join(Draft, Draft.id == Reviewer.draft_id)
        .join(PortalUser, PortalUser.id == Reviewer.portal_user_id)
        .where(Draft.project_id == project_id, Reviewer.decided_at.is_not(None))
    ).all()
    return [
        Step(at, "decided", {"outcome": OUTCOME[choice], "name": name, "draft_id": draft_id, "number": number})
        for at, choice, name, draft_id, number in rows
    ]


def _invoice_steps(project_id: uuid.UUID) -> list[Step]:
    rows = db.session.execute(
        select(Invoice.id, Invoice.number, Invoice.amount_minor, Invoice.sent_at).where(
            Invoice.project_id == project_id, Invoice.status.in_(CLIENT_INVOICES), Invoice.sent_at.is_not(None)
        )
    ).all()
    return [
        Step(at, "invoice_sent", {"invoice_id": id_, "number": number, "amount": amount})
        for id_, number, amount, at in rows
    ]


def _payment_steps(project_id: uuid.UUID) -> list[Step]:
    rows = db.session.execute(
        select(Payment.created_at, Payment.paid_on, Payment.amount_minor, Invoice.id, Invoice.number)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Invoice.project_id == project_id, Invoice.status.in_(CLIENT_INVOICES))
    ).all()
    return [
        Step(at, "paid", {"paid_on": paid_on, "amount": amount, "invoice_id": invoice_id, "number": number})
        for at, paid_on, amount, invoice_id, number in rows
    ]


def _file_steps(project_id: uuid.UUID) -> list[Step]:
    rows = db.session.execute(
        select(StoredFile.id, StoredFile.name, StoredFile.shared_at).where(
            StoredFile.project_id == project_id,
            StoredFile.shared_at.is_not(None),
            StoredFile.status == FileStatus.READY,
        )
    ).all()
    return [Step(at, "file_shared", {"file_id": id_, "name": name}) for id_, name, at in rows]
