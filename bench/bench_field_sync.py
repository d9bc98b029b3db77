"""The field app's sync: BENCH_CHANGES changes (default 500) queued on a device, sent the way the app sends them.

1. End to end, over HTTP: `saas serve` (gunicorn, as production runs it) and headless Chromium on a phone profile
   signed in to /field/. The changes are queued through the app's own module (pwa/js/outbox.js: IndexedDB, the
   visits projected as the worker would see them), then the app's flush (pwa/js/sync.js: in order, batches of
   100) is timed from its call to its last answer. Then the rows are counted: every change once (0 lost, 0
   duplicated), and the whole queue is sent again, as a phone that never heard the answers would: every answer
   is a replay and nothing changes.
2. The sync endpoint's own cost per change: the same mix of changes posted in batches of 100 to the app in
   process (no HTTP, no browser), ms per change. Run it on PostgreSQL for the figure that matters.

Each visit gets five changes: check-in with a position, notes, outcome and next action, a follow-up for the
client, check-out (which logs the visit on the client's timeline).

Run:  .venv/bin/python bench/bench_field_sync.py                                   (SQLite)
      BENCH_DATABASE_URL=… BENCH_MIGRATION_DATABASE_URL=… .venv/bin/python bench/bench_field_sync.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bench.common import environment
from saas.app import create_app
from saas.clients.models import Interaction
from saas.config import load_settings
from saas.dbadmin import upgrade
from saas.visits.models import SyncChange, Visit
from tests.conftest import PASSWORD, add_member, create_studio, query

CHANGES = int(os.environ.get("BENCH_CHANGES", "500"))
PER_VISIT = 5
BATCH = 100  # pwa/js/sync.js BATCH
CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/lib/chromium/chromium")
SHANGHAI = ZoneInfo("Asia/Shanghai")
SITE = (31.2304, 121.4737)


def seed(app, studio, worker_name: str, visits: int) -> tuple[str, list[str]]:
    """A client and `visits` visits of today for the worker, scheduled by the office through the API."""
    from tests.conftest import Browser
    from tests.integration.test_api import api, make_token

    app.test_client_class = Browser
    owner = app.test_client()
    owner.login(studio.owner_email)
    office = api(app, make_token(owner))
    members = office.get("/api/v1/members").get_json()["data"]
    worker = next(m["user_id"] for m in members if m["name"] == worker_name)
    client = office.post("/api/v1/clients", json={"name": "鹿鸣咖啡"}).get_json()["id"]
    start = datetime.now(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)
    ids = []
    for n in range(visits):
        at = start + timedelta(minutes=5 * n)
        body = {
            "client_id": client,
            "assignee_id": worker,
            "scheduled_start": at.isoformat(),
            "scheduled_end": (at + timedelta(hours=1)).isoformat(),
            "site_address": f"南京西路 {n + 1} 号",
            "site_lat": SITE[0],
            "site_lng": SITE[1],
            "purpose": "量房",
        }
        made = office.post("/api/v1/visits", json=body)
        assert made.status_code == 201, made.get_json()
        ids.append(made.get_json()["id"])
    return client, ids


def changes_for(client_id: str, visit_ids: list[str]) -> list[dict]:
    """The queue a worker builds over a day: in order, each with an id minted on the device."""
    queue = []
    now = datetime.now(SHANGHAI)
    for n, visit in enumerate(visit_ids):
        at = now + timedelta(minutes=n)

        def change(kind, data, visit_id=visit, when=at):
            body = {"id": str(uuid.uuid4()), "kind": kind, "at": when.isoformat(), "data": data}
            if visit_id:
                body["visit_id"] = visit_id
            return body

        queue += [
            change("visit.check_in", {"position": {"lat": SITE[0] + 0.0004, "lng": SITE[1], "accuracy": 12.5}}),
            change(
                "visit.update",
                {"fields": {"notes": f"现场记录 {n}：客厅 32 平，业主想要暖色。"}, "base": {"notes": None}},
            ),
            change(
                "visit.update",
                {
                    "fields": {"outcome": "确认方向", "next_action": "出平面图"},
                    "base": {"outcome": None, "next_action": None},
                },
            ),
            change("interaction.log", {"client_id": client_id, "kind": "visit", "summary": f"第 {n} 次上门"}, None),
            change("visit.check_out", {"position_problem": "unavailable"}, when=at + timedelta(minutes=40)),
        ]
    return queue


def counted(app, tenant_id, visit_ids: list[str]) -> dict[str, int]:
    ids = [uuid.UUID(v) for v in visit_ids]
    kept = query(app, tenant_id, select(SyncChange.id))
    return {
        "sync_changes": len(kept),
        "distinct_ids": len(set(kept)),
        "checked_out": len(
            query(app, tenant_id, select(Visit.id).where(Visit.id.in_(ids), Visit.status == "checked_out"))
        ),
        "timeline": len(query(app, tenant_id, select(Interaction.id).where(Interaction.kind == "visit"))),
        "with_notes": len(query(app, tenant_id, select(Visit.id).where(Visit.id.in_(ids), Visit.notes.is_not(None)))),
    }


def in_process(app, studio, email: str, name: str) -> None:
    """The endpoint's own cost: batches of 100 through the app, no HTTP."""
    from tests.conftest import Browser

    client_id, visit_ids = seed(app, studio, name, CHANGES // PER_VISIT)
    queue = changes_for(client_id, visit_ids)
    app.test_client_class = Browser
    phone = app.test_client()
    phone.login(email)
    csrf = phone.get("/field/api/session").get_json()["csrf_token"]
    warm = changes_for(client_id, visit_ids[:1])[:1]
    phone.post("/field/api/sync", json={"changes": warm}, headers={"X-CSRFToken": csrf})
    timings = []
    for start in range(0, len(queue), BATCH):
        batch = queue[start : start + BATCH]
        began = time.perf_counter()
        answer = phone.post("/field/api/sync", json={"changes": batch}, headers={"X-CSRFToken": csrf})
        timings.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200 and all(r["result"] == "applied" for r in answer.get_json()["results"])
    total = sum(timings)
    replay_began = time.perf_counter()
    for start in range(0, len(queue), BATCH):
        answer = phone.post(
            "/field/api/sync", json={"changes": queue[start : start + BATCH]}, headers={"X-CSRFToken": csrf}
        )
        assert all(r.get("replayed") for r in answer.get_json()["results"])
    replay = (time.perf_counter() - replay_began) * 1000
    print(
        f"sync endpoint, in process ({len(queue)} changes, batches of {BATCH}): {total:.0f} ms, "
        f"{total / len(queue):.2f} ms per change (batch median {statistics.median(timings):.0f} ms); "
        f"replayed: {replay / len(queue):.2f} ms per change"
    )


def end_to_end(env: dict[str, str], app, studio, email: str, name: str) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import LAUNCH_ARGS

    client_id, visit_ids = seed(app, studio, name, CHANGES // PER_VISIT)
    queue = changes_for(client_id, visit_ids)
    before = counted(app, studio.tenant_id, visit_ids)
    with gunicorn(env) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{base}/field/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action$='/login'] button[type=submit]")
        page.wait_for_selector(".visit-card")
        page.wait_for_function("() => document.getElementById('queue-status').dataset.state === 'saved'")
        # Queued through the app's own module, as the screens do (each change and its effect on the stored visit
        # in one IndexedDB transaction); offline meanwhile, so that nothing is sent before the timing starts.
        context.set_offline(True)
        queued = page.evaluate(
            """async (queue) => {
                const outbox = await import('/field/static/js/outbox.js');
                const sync = await import('/field/static/js/sync.js');
                const began = performance.now();
                for (const c of queue) await outbox.enqueue(c.kind, c.visit_id, c.data, { id: c.id });
                const ms = performance.now() - began;
                return { ms, sent: (await outbox.entries()).sort((a, b) => a.seq - b.seq).map(sync.wire) };
            }""",
            queue,
        )
        queued_ms, queue = queued["ms"], queued["sent"]  # as the app will send them (its own clock's times)
        context.set_offline(False)
        outcome = page.evaluate(
            """async () => {
                const sync = await import('/field/static/js/sync.js');
                const outbox = await import('/field/static/js/outbox.js');
                const began = performance.now();
                const result = await sync.flush();
                const left = (await outbox.pending()).length;
                return { ms: performance.now() - began, status: result.status, sent: result.sent, left };
            }"""
        )
        after = counted(app, studio.tenant_id, visit_ids)
        # A phone that never heard the answers sends the same queue again: every answer a replay, nothing new.
        replays = page.evaluate(
            """async (queue) => {
                const session = await (await fetch('/field/api/session')).json();
                let replayed = 0;
                for (let i = 0; i < queue.length; i += 100) {
                    const body = { changes: queue.slice(i, i + 100) };
                    const answer = await fetch('/field/api/sync', { method: 'POST', body: JSON.stringify(body),
                        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': session.csrf_token } });
                    const body2 = await answer.json();
                    if (!body2.results) throw new Error(`${answer.status} ${JSON.stringify(body2)}`);
                    replayed += body2.results.filter(r => r.replayed).length;
                }
                return replayed;
            }""",
            queue,
        )
        again = counted(app, studio.tenant_id, visit_ids)
        browser.close()
    n = len(queue)
    new_rows = after["sync_changes"] - before["sync_changes"]
    lost = n - new_rows
    duplicated = (after["sync_changes"] - after["distinct_ids"]) + (again["sync_changes"] - after["sync_changes"])
    print(
        f"end to end over HTTP (gunicorn, Chromium, the app's flush): {n} changes in {outcome['ms'] / 1000:.2f} s "
        f"({outcome['status']}, {outcome['sent']} sent, {outcome['left']} left in the queue); "
        f"queued on the device in {queued_ms / 1000:.2f} s"
    )
    print(
        f"  rows: {new_rows} changes kept → lost {lost}, duplicated {duplicated}; "
        f"{after['checked_out'] - before['checked_out']} visits checked out, "
        f"{after['with_notes'] - before['with_notes']} with notes, "
        f"{after['timeline'] - before['timeline']} visit follow-ups on the client's timeline"
    )
    print(f"  the same queue sent again: {replays}/{n} answered as replays, rows unchanged: {again == after}")
    assert lost == 0 and duplicated == 0 and outcome["left"] == 0 and replays == n and again == after


@contextmanager
def gunicorn(env: dict[str, str]):
    """The app under gunicorn (2 workers, as `saas serve` runs it in production), on a free port."""
    from tests.conftest import free_port, wait_for_port

    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "saas.wsgi:app"]
    process = subprocess.Popen(
        command, env={**os.environ, **env, "BASE_URL": f"http://127.0.0.1:{port}"}, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-field-"))
    env = {**environment(folder), "LOGIN_RATE_LIMIT": "100000 per minute"}
    upgrade(load_settings(env))
    app = create_app(env)
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgresql") else "SQLite"
    print(f"field sync bench on {database}, {CHANGES} changes ({PER_VISIT} per visit)")
    studio = create_studio(app, f"bench{uuid.uuid4().hex[:6]}", None, "Bench 设计")
    add_member(app, studio, f"field-a@{studio.slug}.test", "field", name="赵六")
    add_member(app, studio, f"field-b@{studio.slug}.test", "field", name="钱七")
    in_process(app, studio, f"field-a@{studio.slug}.test", "赵六")
    end_to_end(env, app, studio, f"field-b@{studio.slug}.test", "钱七")


if __name__ == "__main__":
    main()
