"""Draft review page benchmark at the size of the issue's figure ("the review page of a 40-page draft with 500
comments: p95 < 150 ms"): one studio with a project whose draft version 2 (in review) is a BENCH_PAGES-page
PDF (default 40) carrying BENCH_COMMENTS comments (default 500: 60 % pins spread over the pages, 20 % general
comments, 20 % replies in threads), and version 1 (changes requested, locked) to compare with; plus 20 small
studios with one small draft each. Seeding uses bulk inserts. Prints median and p95 through the WSGI app:

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
from saas.files.models import StoredFile
from saas.portal.access import _open_session
from saas.portal.models import PortalUser
from saas.projects.models import PipelineStage, Project, StageKind
from saas.proofing.models import Comment, Draft, Reviewer
from saas.tenants.isolation import set_tenant
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


def _pdf(tenant_id, draft_id, project_id, client_id, owner_id, number: int, pages: int, now) -> dict:
    fid = uuid.uuid4()
    folder = f"tenants/{tenant_id}/files/{fid}"
    keys = [f"{folder}/page-{n:03d}.jpg" for n in range(1, pages + 1)]
    return {
        "id": fid,
        "tenant_id": tenant_id,
        "key": f"{folder}/proposal-v{number}.pdf",
        "name": f"proposal-v{number}.pdf",
        "declared_type": "application/pdf",
        "content_type": "application/pdf",
        "size_bytes": 8_000_000,
        "status": "ready",
        "purpose": "draft",
        "previews": {"thumb": f"{folder}/thumb.jpg", "large": keys[0], "pages": keys},
        "client_id": client_id,
        "project_id": project_id,
        "draft_id": draft_id,
        "uploaded_by_id": owner_id,
        "created_at": now,
    }


def seed_studio(session, slug: str, pages: int, comments: int, rng: random.Random) -> None:
    """A studio, a client with a contact invited to the portal, a project, versions 1 and 2 of its draft (one
    PDF each), the contact asked to review version 2, and `comments` comments on version 2."""
    membership = create_studio(f"Bench {slug}", slug, "Owner", f"owner@{slug}.bench", PASSWORD, "en")
    tid, owner_id = membership.tenant_id, membership.user_id
    session.flush()
    stage = session.scalar(
        select(PipelineStage).where(PipelineStage.kind == StageKind.OPEN).order_by(PipelineStage.position).limit(1)
    )
    now = utcnow()
    client_id, contact_id, project_id, reviewer_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    v1, v2 = uuid.uuid4(), uuid.uuid4()
    common = {"tenant_id": tid, "created_at": now - timedelta(days=10)}
    session.execute(
        insert(Client),
        [
            {
                **common,
                "id": client_id,
                "name": "鹿鸣咖啡",
                "kind": "company",
                "status": "signed",
                "tags": [],
                "owner_id": owner_id,
                "search_text": "鹿鸣咖啡",
                "version": 1,
                "updated_at": now,
            }
        ],
    )
    session.execute(
        insert(Contact),
        [{**common, "id": contact_id, "client_id": client_id, "name": "张伟", "email": f"zw@{slug}.bench"}],
    )
    session.execute(
        insert(Project),
        [
            {
                **common,
                "id": project_id,
                "client_id": client_id,
                "stage_id": stage.id,
                "name": "校园店品牌焕新",
                "type": "品牌",
                "owner_id": owner_id,
                "brief": {},
                "stage_entered_at": now,
                "updated_at": now,
                "version": 1,
            }
        ],
    )
    session.execute(
        insert(PortalUser),
        [
            {
                **common,
                "id": reviewer_id,
                "client_id": client_id,
                "contact_id": contact_id,
                "email": f"zw@{slug}.bench",
                "name": "张伟",
                "locale": "en",
                "active": True,
                "invited_by_id": owner_id,
            }
        ],
    )
    draft = {**common, "project_id": project_id, "created_by_id": owner_id, "submitted_by_id": owner_id, "version": 1}
    session.execute(
        insert(Draft),
        [
            {
                **draft,
                "id": v1,
                "number": 1,
                "title": "初稿",
                "status": "changes_requested",
                "submitted_at": now - timedelta(days=9),
                "decided_at": now - timedelta(days=8),
                "locked_at": now - timedelta(days=3),
            },
            {
                **draft,
                "id": v2,
                "number": 2,
                "title": "第二稿",
                "status": "in_review",
                "submitted_at": now - timedelta(days=3),
                "message": "请看第二稿",
                "due_on": (now + timedelta(days=3)).date(),
            },
        ],
    )
    files = [_pdf(tid, v, project_id, client_id, owner_id, n, pages, now) for n, v in ((1, v1), (2, v2))]
    session.execute(insert(StoredFile), files)
    session.execute(insert(Reviewer), [{**common, "id": uuid.uuid4(), "draft_id": v2, "portal_user_id": reviewer_id}])
    rows: list[dict] = []
    roots: list[uuid.UUID] = []
    started = now - timedelta(days=3)
    for n in range(comments):
        kind = "pin" if n == 0 else rng.choices(("pin", "general", "reply"), (60, 20, 20))[0]
        if kind == "reply" and not roots:
            kind = "general"
        by_client = rng.random() < (0.3 if kind == "reply" else 0.8)
        row = {
            "id": uuid.uuid4(),
            "tenant_id": tid,
            "draft_id": v2,
            "parent_id": rng.choice(roots) if kind == "reply" else None,
            "author_name": "张伟" if by_client else "Owner",
            "portal_user_id": reviewer_id if by_client else None,
            "user_id": None if by_client else owner_id,
            "body": MARKER if n == 0 else _body(rng),
            "file_id": None,
            "page": None,
            "x": None,
            "y": None,
            "resolved_at": None,
            "resolved_by_id": None,
            "created_at": started + timedelta(seconds=30 * n),
        }
        if kind == "pin":
            row.update(file_id=files[1]["id"], page=1 if n == 0 else rng.randint(1, pages))
            row.update(x=rng.random(), y=rng.random())
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
        token = _open_session(session.scalar(select(PortalUser)), "127.0.0.1")
        session.commit()
        return draft_id, token, threads


def page_of(browser: Browser, path: str, threads: int) -> Callable[[], object]:
    """A timed call of `path` that fails on anything but the full page (every thread, the known comment)."""
    first = browser.get(path).get_data(as_text=True)
    assert first.count('<li class="thread') == threads, (path, first[:500])

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
    print(f"review page: {PAGES} pages, {COMMENTS} comments ({threads} threads); backend: {backend}")
    staff = app.test_client()
    assert staff.login(f"owner@{SLUG}.bench", PASSWORD).status_code == 302
    client = app.test_client()
    client.set_cookie("atelier_portal", token, path=f"/portal/{SLUG}/")
    staff_page = page_of(staff, f"/app/drafts/{draft_id}", threads)
    measure("GET /app/drafts/<id> (staff)", staff_page)
    measure("GET /app/drafts/<id>?compare=1 (staff)", page_of(staff, f"/app/drafts/{draft_id}?compare=1", threads))
    portal = f"/portal/{SLUG}/drafts/{draft_id}"
    measure("GET /portal/<slug>/drafts/<id> (client)", page_of(client, portal, threads))
    measure("GET /portal/<slug>/drafts/<id>?compare=1 (client)", page_of(client, f"{portal}?compare=1", threads))
    print(f"queries per staff review page: {statements_of(app, staff_page)}")


if __name__ == "__main__":
    main()
