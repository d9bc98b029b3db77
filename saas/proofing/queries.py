"""What the review page shows, read in a handful of queries whatever the size of the draft: the version's
pages, every comment as threads (pins numbered in the order they were dropped), the reviewers' decisions, and
the pages of the version before it for side-by-side comparison."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from saas.extensions import db
from saas.files.models import StoredFile
from saas.projects.access import projects_visible_to
from saas.projects.models import Project
from saas.proofing.models import Comment, Draft, DraftStatus, Reviewer
from saas.proofing.services import files_of
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm


@dataclass(frozen=True)
class Sheet:
    """One page to look at: an image, or one page of a PDF."""

    file: StoredFile
    page: int  # 1-based
    preview: str | None  # the preview to show ("large", "page-3"), None until previews are made

    @property
    def key(self) -> str:
        return f"{self.file.id}:{self.page}"


# The review page reads these columns of each comment as plain rows: building 500 ORM objects costs more than
# rendering them.
COMMENT_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.author_name,
    Comment.portal_user_id,
    Comment.body,
    Comment.file_id,
    Comment.page,
    Comment.x,
    Comment.y,
    Comment.resolved_at,
    Comment.created_at,
)


@dataclass
class Thread:
    comment: Any  # a row of COMMENT_COLUMNS
    number: int | None  # the pin's number on the page, None for a general comment
    replies: list[Any] = field(default_factory=list)
    key: str = ""  # the comment's id as text, for the page's anchors and forms


@dataclass(frozen=True)
class Version:
    """A version as the switcher shows it: the row's few columns, not the draft with its project and people."""

    id: uuid.UUID
    number: int
    status: str


@dataclass(frozen=True)
class ReviewPage:
    draft: Draft
    sheets: list[Sheet]
    threads: list[Thread]
    pins_by_sheet: dict[str, list[Thread]]
    previous: Version | None
    previous_sheets: list[Sheet]
    versions: list[Version]

    @property
    def pin_places(self) -> dict[uuid.UUID, tuple[str, bool]]:
        """Where a pin sits, as people say it: by file id, the file's name and whether it has pages (a PDF),
        so a thread reads "concept-b.png" or "brochure.pdf, page 3" rather than a bare page number."""
        return {s.file.id: (s.file.name, bool(s.file.previews.get("pages"))) for s in self.sheets}

    @property
    def open_pins(self) -> int:
        return sum(1 for t in self.threads if t.number is not None and t.comment.resolved_at is None)


def sheets_of(files: list[StoredFile]) -> list[Sheet]:
    sheets = []
    for stored in files:
        pages = stored.previews.get("pages") or []
        if pages:
            sheets += [Sheet(stored, n, f"page-{n}") for n in range(1, len(pages) + 1)]
        else:
            sheets.append(Sheet(stored, 1, "large" if stored.previews.get("large") else None))
    return sheets


def threads_of(draft_id: uuid.UUID) -> list[Thread]:
    query = select(*COMMENT_COLUMNS).where(Comment.draft_id == draft_id).order_by(Comment.created_at)
    threads: dict[uuid.UUID, Thread] = {}
    replies: dict[uuid.UUID, list[Any]] = defaultdict(list)
    pins = 0
    for comment in db.session.execute(query):
        if comment.parent_id is None:
            is_pin = comment.x is not None
            pins += is_pin
            threads[comment.id] = Thread(comment, pins if is_pin else None, key=str(comment.id))
        else:
            replies[comment.parent_id].append(comment)
    for parent_id, items in replies.items():
        if parent_id in threads:
            threads[parent_id].replies = items
    return list(threads.values())


def review_page(draft: Draft, visible_to_client: bool = False) -> ReviewPage:
    threads = threads_of(draft.id)
    pins: dict[str, list[Thread]] = defaultdict(list)
    for thread in threads:
        if thread.number is not None:
            pins[f"{thread.comment.file_id}:{thread.comment.page}"].append(thread)
    query = select(Draft.id, Draft.number, Draft.status).where(Draft.project_id == draft.project_id)
    if visible_to_client:
        query = query.where(Draft.status != DraftStatus.PREPARING)
    versions = [Version(*row) for row in db.session.execute(query.order_by(Draft.number.desc()))]
    previous = next((v for v in versions if v.number < draft.number), None)
    return ReviewPage(
        draft=draft,
        sheets=sheets_of(files_of(draft.id)),
        threads=threads,
        pins_by_sheet=dict(pins),
        previous=previous,
        previous_sheets=sheets_of(files_of(previous.id)) if previous else [],
        versions=versions,
    )


def awaiting(portal_user_id: uuid.UUID) -> list[Draft]:
    """Drafts this reviewer has been asked to decide on and has not yet."""
    query = (
        select(Draft)
        .join(Reviewer, Reviewer.draft_id == Draft.id)
        .where(
            Reviewer.portal_user_id == portal_user_id,
            Reviewer.decided_at.is_(None),
            Draft.status == DraftStatus.IN_REVIEW,
            Draft.locked_at.is_(None),
        )
        .order_by(Draft.submitted_at.desc())
    )
    return list(db.session.scalars(query))


def submitted_of_client(client_id: uuid.UUID, project_id: uuid.UUID | None = None) -> list[Draft]:
    """The versions a client has been shown (all its projects', or one project's), newest first."""
    from saas.projects.models import Project

    query = (
        select(Draft)
        .join(Project, Project.id == Draft.project_id)
        .where(Project.client_id == client_id, Draft.status != DraftStatus.PREPARING)
    )
    if project_id is not None:
        query = query.where(Draft.project_id == project_id)
    return list(db.session.scalars(query.order_by(Draft.submitted_at.desc()).limit(50)))


def waiting_for_clients(membership: Membership, limit: int = 10) -> list[Draft]:
    """Versions out for review that the client has not yet decided on, for a person's day: the ones they sent or
    whose project they own; the studio's all for those who run every project (owners, admins, managers)."""
    query = (
        select(Draft)
        .join(Project, Project.id == Draft.project_id)
        .where(Draft.status == DraftStatus.IN_REVIEW, projects_visible_to(membership))
    )
    if not has_perm(membership.role, Perm.CLIENTS_ALL):
        mine = or_(Draft.submitted_by_id == membership.user_id, Project.owner_id == membership.user_id)
        query = query.where(mine)
    order = (Draft.due_on.is_(None), Draft.due_on, Draft.submitted_at)
    return list(db.session.scalars(query.order_by(*order).limit(limit)))
