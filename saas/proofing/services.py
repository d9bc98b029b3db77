"""The draft approval flow of seed 000: a designer prepares version N of a project's draft, submits it to the
client's reviewers; they pin comments on it and decide; the decision moves the project and gives the designer
the next task. Services flush, never commit; each step that matters is on the client's timeline and tells the
people concerned (in the app, and by e-mail where they must act)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.files import uploads
from saas.files.models import FileStatus, StoredFile
from saas.notify.services import Recipient, notify
from saas.portal_accounts.models import PortalUser
from saas.projects.models import PipelineStage, Project, Task
from saas.projects.pipeline import stage_by_key
from saas.projects.services import move_to
from saas.proofing.models import Choice, Comment, Draft, DraftStatus, ProofingSettings, Reviewer
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.queries import studio_today, working_days_after
from saas.tenants.roles import Perm, require
from saas.web.urls import site_path

MAX_COMMENT = 5000
EXCERPT = 140


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: [message]})


# Settings


def proofing_settings() -> ProofingSettings:
    found = db.session.scalar(select(ProofingSettings))
    if found is None:
        found = ProofingSettings()
        db.session.add(found)
        db.session.flush()
    return found


def approved_stage() -> PipelineStage | None:
    """Where an approved draft takes its project: the studio's choice, else the seeded delivery stage."""
    chosen = proofing_settings().approved_stage_id
    return db.session.get(PipelineStage, chosen) if chosen else stage_by_key("delivery")


def set_approved_stage(membership: Membership, stage: PipelineStage | None, revision_days: int | None = None) -> None:
    require(membership, Perm.PIPELINE)
    row = proofing_settings()
    row.approved_stage_id = stage.id if stage else None
    if revision_days is not None:
        if not 0 <= revision_days <= 60:
            raise _invalid("revision_days", _("Enter a number of working days from 0 to 60."))
        row.revision_days = revision_days


# Versions


def files_of(draft_id: uuid.UUID, ready_only: bool = True) -> list[StoredFile]:
    """A version's pages, in the order they were uploaded."""
    return uploads.files_of("draft", draft_id, ready_only)


def drafts_of(project_id: uuid.UUID) -> list[Draft]:
    query = select(Draft).where(Draft.project_id == project_id).order_by(Draft.number.desc())
    return list(db.session.scalars(query))


def new_version(membership: Membership, project: Project, title: str | None = None) -> Draft:
    """The next version number of this project's draft; one version is prepared at a time."""
    require(membership, Perm.PROJECTS_EDIT)
    preparing = db.session.scalar(
        select(Draft).where(Draft.project_id == project.id, Draft.status == DraftStatus.PREPARING)
    )
    if preparing is not None:
        return preparing
    number = (db.session.scalar(select(func.max(Draft.number)).where(Draft.project_id == project.id)) or 0) + 1
    draft = Draft(project_id=project.id, number=number, title=(title or "").strip()[:200] or None)
    draft.created_by_id = membership.user_id
    db.session.add(draft)
    db.session.flush()
    return draft


def check_preparing(draft: Draft) -> None:
    if draft.status != DraftStatus.PREPARING:
        raise _invalid("draft", _("This version was submitted; its files can no longer change. Start a new version."))


def remove_file(membership: Membership, draft: Draft, stored: StoredFile) -> None:
    require(membership, Perm.PROJECTS_EDIT)
    check_preparing(draft)
    db.session.delete(stored)


@dataclass(frozen=True)
class Submission:
    reviewer_ids: list[uuid.UUID]
    message: str | None
    due_on: date | None


def submit(membership: Membership, draft: Draft, submission: Submission) -> None:
    """Send the version to the client: the reviewers named are told (e-mail and portal), earlier versions lock."""
    require(membership, Perm.PROJECTS_EDIT)
    check_preparing(draft)
    files = files_of(draft.id, ready_only=False)
    if not any(f.status == FileStatus.READY for f in files):
        raise _invalid("files", _("Upload the draft's images or PDF first."))
    if any(f.status == FileStatus.PENDING for f in files):
        raise _invalid("files", _("Wait until every upload has finished."))
    reviewers = _reviewers(draft.project, submission.reviewer_ids)
    if submission.due_on and submission.due_on < studio_today(draft.tenant_id):
        raise _invalid("due_on", _("Choose a due date from today on."))
    now = utcnow()
    for earlier in db.session.scalars(select(Draft).where(Draft.project_id == draft.project_id, Draft.id != draft.id)):
        earlier.locked_at = earlier.locked_at or now
        if earlier.status == DraftStatus.IN_REVIEW:
            earlier.status = DraftStatus.SUPERSEDED
    draft.status, draft.submitted_at, draft.submitted_by_id = DraftStatus.IN_REVIEW, now, membership.user_id
    draft.message, draft.due_on = (submission.message or "").strip()[:MAX_COMMENT] or None, submission.due_on
    db.session.add_all(Reviewer(draft_id=draft.id, portal_user_id=person.id) for person in reviewers)
    db.session.flush()
    _tell_reviewers(draft, reviewers, "review_requested")
    names = "、".join(person.name for person in reviewers)
    emit(
        "draft.submitted",
        subject=draft,
        client=draft.project.client,
        actor_id=membership.user_id,
        project=draft.project.name,
        version=draft.number,
        reviewers=names,
    )


def _reviewers(project: Project, ids: list[uuid.UUID]) -> list[PortalUser]:
    if not ids:
        raise _invalid("reviewers", _("Choose at least one reviewer."))
    found = list(
        db.session.scalars(
            select(PortalUser).where(
                PortalUser.id.in_(ids), PortalUser.client_id == project.client_id, PortalUser.active.is_(True)
            )
        )
    )
    if len(found) != len(set(ids)):
        raise _invalid("reviewers", _("Reviewers must be this client's contacts with portal access."))
    return found


def _portal_link(draft: Draft) -> str:
    tenant = db.session.get(Tenant, draft.tenant_id)
    return site_path("portal.draft", slug=tenant.slug, draft_id=draft.id)


def _tell_reviewers(draft: Draft, reviewers: list[PortalUser], kind: str) -> None:
    tenant = db.session.get(Tenant, draft.tenant_id)
    data = {
        "studio": tenant.name,
        "project": draft.project.name,
        "version": draft.number,
        "message": draft.message or "",
        "due_on": draft.due_on.isoformat() if draft.due_on else "",
    }
    people = [Recipient(portal_user_id=p.id, email=p.email, locale=p.locale) for p in reviewers]
    notify(people, kind, data, _portal_link(draft), email=True)


def _designers(draft: Draft) -> list[Recipient]:
    """The staff who hear about a draft: whoever submitted it, and the project's owner."""
    ids = [i for i in (draft.submitted_by_id, draft.project.owner_id) if i]
    users = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else []
    return [Recipient(user_id=u.id, email=u.email, locale=u.locale or "zh_CN") for u in users]


# Comments and pins


@dataclass(frozen=True)
class Pin:
    file_id: uuid.UUID
    page: int
    x: float
    y: float


def _body(text: str | None) -> str:
    body = (text or "").strip()
    if not body:
        raise _invalid("body", _("Write a comment."))
    if len(body) > MAX_COMMENT:
        raise _invalid("body", _("Keep a comment under %(n)d characters.", n=MAX_COMMENT))
    return body


def _check_pin(draft: Draft, pin: Pin) -> None:
    stored = db.session.get(StoredFile, pin.file_id)
    if stored is None or not stored.held_by("draft", draft.id) or stored.status != FileStatus.READY:
        raise _invalid("pin", _("Pin a comment on one of this version's pages."))
    pages = len(stored.previews.get("pages") or []) or 1
    if not (1 <= pin.page <= pages and 0 <= pin.x <= 1 and 0 <= pin.y <= 1):
        raise _invalid("pin", _("Pin the comment on the page itself."))


def _parent(draft: Draft, parent_id: uuid.UUID | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.draft_id != draft.id or parent.parent_id is not None:
        raise _invalid("parent_id", _("Reply to a comment on this version."))
    return parent


def _add(draft: Draft, text: str | None, pin: Pin | None, parent_id: uuid.UUID | None, **author: Any) -> Comment:
    body = _body(text)
    parent = _parent(draft, parent_id)
    if pin is not None and parent is None:
        _check_pin(draft, pin)
    spot = {"file_id": pin.file_id, "page": pin.page, "x": pin.x, "y": pin.y} if pin and parent is None else {}
    comment = Comment(draft_id=draft.id, parent_id=parent.id if parent else None, body=body, **spot, **author)
    db.session.add(comment)
    db.session.flush()
    return comment


def client_comment(user: PortalUser, draft: Draft, text: str | None, pin: Pin | None, parent_id=None) -> Comment:
    if not draft.open_for_review:
        raise _invalid("draft", _("This version is no longer open for comments."))
    comment = _add(draft, text, pin, parent_id, portal_user_id=user.id, author_name=user.name)
    data = _about(draft) | {"author": user.name, "excerpt": comment.body[:EXCERPT]}
    notify(_designers(draft), "draft_commented", data, site_path("staff.draft", draft_id=draft.id))
    return comment


def staff_comment(membership: Membership, draft: Draft, text: str | None, pin: Pin | None, parent_id=None) -> Comment:
    require(membership, Perm.PROJECTS_EDIT)
    if draft.locked or draft.status == DraftStatus.PREPARING:
        raise _invalid("draft", _("Comments are open from submission until a later version is sent."))
    user = db.session.get(User, membership.user_id)
    comment = _add(draft, text, pin, parent_id, user_id=user.id, author_name=user.name)
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    if parent is not None and parent.portal_user_id:
        person = db.session.get(PortalUser, parent.portal_user_id)
        data = _about(draft) | {"author": user.name, "excerpt": comment.body[:EXCERPT]}
        notify([Recipient(portal_user_id=person.id, locale=person.locale)], "draft_replied", data, _portal_link(draft))
    return comment


def set_resolved(membership: Membership, draft: Draft, comment: Comment, resolved: bool) -> None:
    require(membership, Perm.PROJECTS_EDIT)
    if draft.locked:
        raise _invalid("draft", _("A later version was sent; this one is locked."))
    if comment.parent_id is not None:
        raise _invalid("comment", _("Resolve the thread's first comment."))
    comment.resolved_at = (comment.resolved_at or utcnow()) if resolved else None
    comment.resolved_by_id = membership.user_id if resolved else None


def _about(draft: Draft) -> dict[str, Any]:
    return {"project": draft.project.name, "version": draft.number}


# Decisions


@dataclass(frozen=True)
class Decision:
    choice: str | None
    rating: int | None
    note: str | None


def decide(user: PortalUser, draft: Draft, decision: Decision, ip: str | None) -> None:
    """A reviewer's answer, once. The version is decided when someone asks for changes, or when every reviewer
    has approved; then the project moves on and the designer gets the next task."""
    reviewer = next((r for r in draft.reviewers if r.portal_user_id == user.id), None)
    if reviewer is None:
        raise _invalid("choice", _("Only the reviewers the studio named can decide on this version."))
    if not draft.open_for_review:
        raise _invalid("choice", _("This version is no longer open for a decision."))
    if reviewer.decided_at is not None:
        raise _invalid("choice", _("You have already decided on this version."))
    if decision.choice not in tuple(Choice):
        raise _invalid("choice", _("Choose approve, approve with minor changes, or request changes."))
    if decision.rating is not None and not 1 <= decision.rating <= 5:
        raise _invalid("rating", _("Rate from 1 to 5 stars."))
    note = (decision.note or "").strip()
    if len(note) > MAX_COMMENT:
        raise _invalid("note", _("Keep a comment under %(n)d characters.", n=MAX_COMMENT))
    reviewer.choice, reviewer.rating, reviewer.note = decision.choice, decision.rating, note or None
    reviewer.decided_at, reviewer.ip = utcnow(), ip
    emit(
        "draft.decided",
        subject=draft,
        client=draft.project.client,
        project=draft.project.name,
        version=draft.number,
        reviewer=user.name,
        choice=decision.choice,
        rating=decision.rating,
        ip=ip,
    )
    data = _about(draft) | {"reviewer": user.name, "choice": decision.choice, "rating": decision.rating or 0}
    notify(_designers(draft), "draft_decided", data | {"note": note}, site_path("staff.draft", draft_id=draft.id), True)
    outcome = _outcome(draft)
    if outcome is not None:
        _conclude(draft, outcome)


def _outcome(draft: Draft) -> str | None:
    choices = [r.choice for r in draft.reviewers]
    if Choice.REQUEST_CHANGES in choices:
        return DraftStatus.CHANGES_REQUESTED
    if None in choices:
        return None
    return DraftStatus.APPROVED_WITH_CHANGES if Choice.APPROVE_WITH_CHANGES in choices else DraftStatus.APPROVED


def _conclude(draft: Draft, outcome: str) -> None:
    draft.status, draft.decided_at = outcome, utcnow()
    project = draft.project
    designer = draft.submitted_by_id or project.owner_id
    tenant = db.session.get(Tenant, draft.tenant_id)
    with force_locale(tenant.locale):  # the task is the studio's, in the studio's language
        if outcome == DraftStatus.CHANGES_REQUESTED:
            stage = stage_by_key("revision")
            title = _("Revise per feedback (version %(n)d)", n=draft.number)
            checklist = _feedback_items(draft)
        else:
            stage = approved_stage()
            title = _("Prepare delivery files (version %(n)d approved)", n=draft.number)
            checklist = []
    if stage is not None:
        move_to(project, stage, None)
    # Approval-gated billing (and later automation rules) listen: the invoices waiting for this version go out.
    emit(
        "draft.changes_requested" if outcome == DraftStatus.CHANGES_REQUESTED else "draft.approved",
        subject=draft,
        actor_id=None,
        project=project.name,
        version=draft.number,
    )
    # A revision is due in the studio's working days; the project's owner follows it when someone else sent the
    # version, so it is in both people's tasks.
    due_on = None
    if outcome == DraftStatus.CHANGES_REQUESTED:
        due_on = working_days_after(studio_today(draft.tenant_id), proofing_settings().revision_days)
    follower = project.owner_id if project.owner_id != designer else None
    db.session.add(
        Task(
            client_id=project.client_id,
            project_id=project.id,
            title=title,
            assignee_id=designer,
            follower_id=follower,
            due_on=due_on,
            checklist=checklist,
        )
    )


def _pin_place(number: int, stored: StoredFile | None, page: int | None) -> str:
    """ "Pin 2, brochure.pdf page 3" or "Pin 1, logo.png": the designer finds the spot without the review page."""
    if stored is None:
        return _("Pin %(n)d", n=number)
    if stored.previews.get("pages"):
        return _("Pin %(n)d, %(file)s page %(page)d", n=number, file=stored.name, page=page or 1)
    return _("Pin %(n)d, %(file)s", n=number, file=stored.name)


def _feedback_items(draft: Draft) -> list[dict]:
    """Every open pin and general comment of the client's, numbered as on the review page, then the notes that
    came with the decisions."""
    items = []
    roots = db.session.scalars(
        select(Comment).where(Comment.draft_id == draft.id, Comment.parent_id.is_(None)).order_by(Comment.created_at)
    )
    files = {f.id: f for f in files_of(draft.id)}
    pin_number = 0
    for comment in roots:
        pin_number += comment.is_pin
        if comment.resolved_at is None and comment.portal_user_id is not None:
            general = pgettext("comment", "General")
            where = _pin_place(pin_number, files.get(comment.file_id), comment.page) if comment.is_pin else general
            items.append({"text": f"{where}: {comment.body[:300]}", "done": False})
    for reviewer in draft.reviewers:
        if reviewer.note:
            items.append({"text": f"{reviewer.portal_user.name}: {reviewer.note[:300]}", "done": False})
    return items


# Reminders


def remind_due() -> int:
    """Periodic, per studio: a reviewer who has not decided by the due date is reminded once."""
    today = studio_today(db.session.info["tenant_id"])
    query = (
        select(Reviewer, Draft)
        .join(Draft, Draft.id == Reviewer.draft_id)
        .where(
            Draft.status == DraftStatus.IN_REVIEW,
            Draft.locked_at.is_(None),
            Draft.due_on <= today,
            Reviewer.decided_at.is_(None),
            Reviewer.reminded_at.is_(None),
        )
        .limit(500)
    )
    sent = 0
    for reviewer, draft in db.session.execute(query).all():
        reviewer.reminded_at = utcnow()
        if reviewer.portal_user.active:
            _tell_reviewers(draft, [reviewer.portal_user], "review_reminder")
            sent += 1
    return sent
