"""Draft review page benchmark at the size of the issue's figure ("the review page of a 40-page draft with 500
comments: p95 < 150 ms"): one studio with a project whose draft version 2 (in review) is a BENCH_PAGES-page
PDF (default 40) carrying BENCH_COMMENTS comments (default 500: 60 % pins spread over the pages, 20 % general
comments, 20 % replies in threads), and version 1 (changes requested, locked) to compare with; plus 20 small
studios with one small draft each. The comments are bulk-inserted; a database seeded before is reused.
Prints median and p95 (BENCH_REPEAT runs, default 30) through the WSGI app:

  - GET /app/drafts/<id>                      the staff review page, as the studio's owner
  - GET /app/drafts/<id>?compare=1            the same, side by side with version 1
  - GET /portal/<slug>/drafts/<id>            the client's review page, as the reviewer (portal session cookie)
  - GET /portal/<slug>/drafts/<id>?compare=1  the same, side by side with version 1

and the number of SQL statements one staff page view issues.

Run:  .venv/bin/python bench/bench_review.py                 (SQLite)
      BENCH_DATABASE_URL=… BENCH_MIGRATION_DATABASE_URL=… .venv/bin/python bench/bench_review.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import event, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import environment, measure
from saas.app import create_app
from saas.clients.models import Client, Contact
from saas.config import load_settings
from saas.db import utcnow
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.files.models import FileStatus, StoredFile
from saas.isolation import set_tenant
from saas.portal_accounts.models import PortalUser
from saas.portal_accounts.services import open_session
from saas.projects.models import PipelineStage, Project, StageKind
from saas.proofing.models import Comment, Draft, DraftStatus, Reviewer
from saas.tenants.models import Tenant
from saas.tenants.services import create_studio
from tests.conftest import Browser

PAGES = int(os.environ.get("BENCH_PAGES", "40"))
COMMENTS = int(os.environ.get("BENCH_COMMENTS", "500"))
SMALL_STUDIOS = 20
SLUG = "review"
PASSWORD = "bench-password-1"
MARKER = "BENCH-MARKER 第一页的标志再大一点, the logo on page 1 should be larger"
PHRASES = (
    "标志再大一点",
    "配色再暖一些",
    "这一页的留白太多了",
    "字体换成更圆润的",
    "标题和正文的层级不够清楚",
    "图片的分辨率看起来偏低",
    "the headline feels cramped here",
    "could we try the darker green from version 1?",
    "please align this block with the grid",
    "the photo crop cuts off the product",
    "love this direction, keep it",
    "check the spelling of the address",
)


def _body(rng: random.Random) -> str:
    target, words = rng.randint(20, 300), []
    while sum(len(w) + 2 for w in words) < target:
        words.append(rng.choice(PHRASES))
    return "，".join(words)[:300]


def _pdf(draft: Draft, project: Project, pages: int) -> StoredFile:
    """Version `draft`'s PDF, its pages previewed (the keys need not exist: the page only links to them)."""
    fid = uuid.uuid4()
    folder = f"tenants/{project.tenant_id}/files/{fid}"
    keys = [f"{folder}/page-{n:03d}.jpg" for n in range(1, pages + 1)]
    return StoredFile(
        id=fid,
        key=f"{folder}/proposal-v{draft.number}.pdf",
        name=f"proposal-v{draft.number}.pdf",
        declared_type="application/pdf",
        content_type="application/pdf",
        size_bytes=8_000_000,
        status=FileStatus.READY,
        purpose="draft",
        previews={"thumb": f"{folder}/thumb.jpg", "large": keys[0], "pages": keys},
        client_id=project.client_id,
        project_id=project.id,
        owner_kind="draft",
        owner_id=draft.id,
        uploaded_by_id=project.owner_id,
    )


def seed_studio(session, slug: str, pages: int, comments: int, rng: random.Random) -> None:
    """A studio, a client whose contact may open the portal, a project, versions 1 (changes requested, locked)
    and 2 (in review, the contact its reviewer) of its draft, one PDF each, and `comments` comments on version 2:
    60 % pins spread over the pages, 20 % general comments, 20 % replies, by the client and by staff."""
    membership = create_studio(f"Bench {slug}", slug, "Owner", f"owner@{slug}.bench", PASSWORD, "en")
    owner_id, now = membership.user_id, utcnow()
    session.flush()
    stage = session.scalar(select(PipelineStage).where(PipelineStage.kind == StageKind.OPEN).limit(1))
    client = Client(name="鹿鸣咖啡", status="signed", owner_id=owner_id, search_text="鹿鸣咖啡 张伟")
    session.add(client)
    session.flush()
    contact = Contact(client_id=client.id, name="张伟", email=f"zw@{slug}.bench")
    project = Project(client_id=client.id, stage_id=stage.id, name="校园店品牌焕新", owner_id=owner_id, brief={})
    session.add_all([contact, project])
    session.flush()
    person = PortalUser(client_id=client.id, contact_id=contact.id, email=contact.email, name="张伟", locale="en")
    by_owner = {"project_id": project.id, "created_by_id": owner_id, "submitted_by_id": owner_id}
    old = Draft(**by_owner, number=1, status=DraftStatus.CHANGES_REQUESTED, submitted_at=now - timedelta(days=9))
    old.decided_at, old.locked_at = now - timedelta(days=8), now - timedelta(days=3)
    draft = Draft(**by_owner, number=2, status=DraftStatus.IN_REVIEW, submitted_at=now - timedelta(days=3))
    session.add_all([person, old, draft])
    session.flush()
    files = [_pdf(old, project, pages), _pdf(draft, project, pages)]
    session.add_all([*files, Reviewer(draft_id=draft.id, portal_user_id=person.id)])
    session.flush()
    kinds = ["general"] * (comments // 5) + ["reply"] * (comments // 5)
    kinds += ["pin"] * (comments - len(kinds) - 1)
    rng.shuffle(kinds)
    rows: list[dict] = []
    roots: list[uuid.UUID] = []
    for n, kind in enumerate(["pin", *kinds]):
        by_client = rng.random() < (0.3 if kind == "reply" else 0.8)
        row = {
            "id": uuid.uuid4(),
            "tenant_id": membership.tenant_id,
            "draft_id": draft.id,
            "parent_id": rng.choice(roots) if kind == "reply" else None,
            "author_name": "张伟" if by_client else "Owner",
            "portal_user_id": person.id if by_client else None,
            "user_id": None if by_client else owner_id,
            "body": MARKER if n == 0 else _body(rng),
            "file_id": None,
            "page": None,
            "x": None,
            "y": None,
            "resolved_at": None,
            "resolved_by_id": None,
            "created_at": now - timedelta(days=3) + timedelta(seconds=30 * n),
        }
        if kind == "pin":
            row.update(file_id=files[1].id, page=1 if n == 0 else rng.randint(1, pages), x=rng.random(), y=rng.random())
            if rng.random() < 0.2:
                row.update(resolved_at=row["created_at"] + timedelta(hours=1), resolved_by_id=owner_id)
        if kind != "reply":
            roots.append(row["id"])
        rows.append(row)
    session.execute(insert(Comment), rows)
    session.commit()


def seed(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        set_tenant(session, None)
        if session.scalar(select(Tenant).where(Tenant.slug == SLUG)) is not None:
            return
        rng = random.Random(7)
        started = time.perf_counter()
        seed_studio(session, SLUG, PAGES, COMMENTS, rng)
        for n in range(SMALL_STUDIOS):
            seed_studio(session, f"tiny-{n}", 3, 10, rng)
        print(f"seeded the draft and {SMALL_STUDIOS} small studios in {time.perf_counter() - started:.0f} s")
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()


def targets(app: Flask) -> tuple[uuid.UUID, str, int]:
    """Version 2's id, a portal session token of its reviewer, and the number of root comments (threads)."""
    with app.app_context():
        session = db.session()
        set_tenant(session, session.scalar(select(Tenant.id).where(Tenant.slug == SLUG)))
        draft_id = session.scalar(select(Draft.id).where(Draft.number == 2))
        threads = len(session.scalars(select(Comment.id).where(Comment.parent_id.is_(None))).all())
        token = open_session(session.scalar(select(PortalUser)), "127.0.0.1")
        session.commit()
        return draft_id, token, threads


def page_of(browser: Browser, path: str, threads: int) -> Callable[[], object]:
    """A timed call of `path` that fails on anything but the full page (every thread, the known comment, and
    version 1 beside it when comparing)."""
    first = browser.get(path).get_data(as_text=True)
    assert first.count('<li class="thread') == threads, (path, first[:500])
    assert ("sheets-previous" in first) == path.endswith("compare=1"), path

    def call():
        response = browser.get(path)
        assert response.status_code == 200 and MARKER in response.get_data(as_text=True), path
        return response

    return call


def statements_of(app: Flask, call: Callable[[], object]) -> int:
    with app.app_context():
        engine = db.engine
    count = 0

    def counted(*_args) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-review-"))
    env = environment(folder)
    upgrade(load_settings(env))
    app = create_app(env)
    seed(app)
    app.test_client_class = Browser
    draft_id, token, threads = targets(app)
    backend = env["DATABASE_URL"].split(":")[0]
    general, replies = COMMENTS // 5, COMMENTS - threads
    sizes = f"{threads - general} pins, {general} general, {replies} replies"
    print(f"review page: {PAGES} pages, {COMMENTS} comments ({sizes})")
    print(f"backend: {backend}; {SMALL_STUDIOS} other studios with a small draft each")
    staff = app.test_client()
    assert staff.login(f"owner@{SLUG}.bench", PASSWORD).status_code == 302
    client = app.test_client()
    client.set_cookie("atelier_portal", token, path=f"/portal/{SLUG}/")
    staff_page = page_of(staff, f"/app/drafts/{draft_id}", threads)
    measure("GET /app/drafts/<id>", staff_page)
    measure("GET /app/drafts/<id>?compare=1", page_of(staff, f"/app/drafts/{draft_id}?compare=1", threads))
    portal = f"/portal/{SLUG}/drafts/{draft_id}"
    measure("GET /portal/<slug>/drafts/<id>", page_of(client, portal, threads))
    measure("GET /portal/<slug>/drafts/<id>?compare=1", page_of(client, f"{portal}?compare=1", threads))
    print(f"queries per staff review page: {statements_of(app, staff_page)}")


if __name__ == "__main__":
    main()
