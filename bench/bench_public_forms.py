"""Public form submissions over real HTTP (issue 16): p50/p95/p99 of POST /f/<studio>/<form> on PostgreSQL, and
a burst of 200 submissions in a minute from one address cut off by the rate limit.

Atelier is served as production serves it (`saas serve`: gunicorn, 2 sync workers, PostgreSQL as the RLS-bound
app role, Redis for the rate limits when BENCH_REDIS_URL is set — without it each worker counts on its own).
The studio holds BENCH_FORM_CLIENTS clients (a contact with a phone each), so the duplicate check by phone runs
against a realistic client list. Each timed submission is the intake form with a new phone (a new lead: client,
contact, submission, event, all in one transaction) or, one in five, a known phone (a follow-up instead); each
comes from its own address (X-Forwarded-For, TRUSTED_PROXIES=1) so that only the burst meets the limit.

Run:  BENCH_DATABASE_URL=postgresql+psycopg://atelier_app:…@host/db \\
      BENCH_MIGRATION_DATABASE_URL=postgresql+psycopg://atelier_owner:…@host/db \\
      [BENCH_REDIS_URL=redis://…] .venv/bin/python bench/bench_public_forms.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_http import serve, stop
from bench.common import analyze, environment
from tests.conftest import free_port

CLIENTS = int(os.environ.get("BENCH_FORM_CLIENTS", "20000"))
SUBMISSIONS = int(os.environ.get("BENCH_FORM_SUBMISSIONS", "300"))
BURST = 200
SLUG = "formbench"


def seed(env: dict[str, str]) -> tuple[object, dict[str, str]]:
    """The studio, its clients and its published intake form; returns the app and {target: input name}."""
    from sqlalchemy import insert, select

    from saas.app import create_app
    from saas.clients.models import Client, Contact
    from saas.config import load_settings
    from saas.dbadmin import upgrade
    from saas.extensions import db
    from saas.forms import services as forms
    from saas.forms.models import Form
    from saas.isolation import set_tenant
    from saas.tenants.models import Membership, Tenant
    from saas.tenants.services import create_studio

    upgrade(load_settings(env))
    app = create_app(env)
    with app.app_context():
        if db.session.scalar(select(Tenant.id).where(Tenant.slug == SLUG)) is None:
            membership = create_studio("表单基准工作室", SLUG, "Owner", f"owner@{SLUG}.test", "bench-pass-1", "zh_CN")
            db.session.commit()
            set_tenant(db.session(), membership.tenant_id)
            rows = [
                {
                    "name": f"客户 {n:05d}",
                    "owner_id": membership.user_id,
                    "search_text": f"客户 {n:05d} 联系人 137{n:08d}",
                    "tags": [],
                    "tenant_id": membership.tenant_id,
                }
                for n in range(CLIENTS)
            ]
            db.session.execute(insert(Client), rows)
            ids = db.session.scalars(select(Client.id).order_by(Client.name)).all()
            contacts = [
                {"client_id": i, "name": "联系人", "phone": f"137{n:08d}", "tenant_id": membership.tenant_id}
                for n, i in enumerate(ids)
            ]
            db.session.execute(insert(Contact), contacts)
            form = forms.create_form(membership, "intake")
            forms.set_status(membership, form, "published")
            db.session.commit()
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == SLUG))
        set_tenant(db.session(), tenant_id)
        form = db.session.scalar(select(Form).where(Form.slug == "new-client"))
        names = {q.target: f"q_{q.id}" for q in form.questions}
        names["form_id"] = str(form.id)
        assert db.session.scalar(select(Membership.id).limit(1)) is not None
    analyze(env)
    return app, names


def started(app, form_id: str) -> str:
    """A start time ten seconds ago, signed as the page signs it (the bench does not wait out the minimum)."""
    from saas.forms import guard

    with app.test_request_context():
        return guard.started_token(form_id, at=time.time() - 10)


def answers(app, names: dict[str, str], n: int, known: bool) -> dict[str, str]:
    phone = f"137{n % CLIENTS:08d}" if known else f"186{n:08d}"
    return {
        "started": started(app, names["form_id"]),
        "website": "",
        names["contact.name"]: f"访客 {n}",
        names["contact.phone"]: phone,
        names["client.name"]: f"新品牌 {n}",
        names["client.industry"]: "food",
    }


def post(session, url: str, data: dict[str, str], address: str) -> tuple[int, float]:
    begun = time.perf_counter()
    response = session.post(url, data=data, headers={"X-Forwarded-For": address}, allow_redirects=False)
    return response.status_code, (time.perf_counter() - begun) * 1000


def main() -> None:
    import requests

    if not os.environ.get("BENCH_DATABASE_URL"):
        sys.exit("bench_public_forms measures PostgreSQL: set BENCH_DATABASE_URL and BENCH_MIGRATION_DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="atelier-forms-"))
    env = environment(folder)
    env.update(ATELIER_ENV="production", BASE_URL="http://127.0.0.1", TRUSTED_PROXIES="1", SECRET_KEY="f" * 48)
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    app, names = seed(env)
    port = free_port()
    server = serve(
        [sys.executable, "-m", "saas.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        {**env, "WEB_ACCESS_LOG": "0"},
        port,
    )
    url = f"http://127.0.0.1:{port}/f/{SLUG}/new-client"
    session = requests.Session()
    try:
        for n in range(10):  # warm-up: connections, templates, the first compilation of each path
            post(session, url, answers(app, names, 900_000 + n, False), f"10.9.0.{n}")
        timings, statuses = [], []
        payloads = [answers(app, names, n, known=n % 5 == 0) for n in range(SUBMISSIONS)]
        for n, data in enumerate(payloads):
            status, ms = post(session, url, data, f"10.{n // 250}.{n % 250}.1")
            statuses.append(status)
            timings.append(ms)
        page_timings = []
        for n in range(100):
            begun = time.perf_counter()
            session.get(url, headers={"X-Forwarded-For": f"10.8.0.{n}"})
            page_timings.append((time.perf_counter() - begun) * 1000)
        burst_payloads = [answers(app, names, 500_000 + n, False) for n in range(BURST)]
        begun = time.perf_counter()
        burst = [post(session, url, data, "203.0.113.7")[0] for data in burst_payloads]
        burst_seconds = time.perf_counter() - begun
    finally:
        stop(server)
    report(timings, statuses, page_timings, burst, burst_seconds, bool(env.get("REDIS_URL")))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def report(timings, statuses, page_timings, burst, burst_seconds, redis: bool) -> None:
    ok = sum(1 for s in statuses if s == 303)
    print(
        f"gunicorn 2 sync workers, PostgreSQL (RLS app role), rate limits in {'Redis' if redis else 'each worker'}; "
        f"{CLIENTS} clients in the studio; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"POST /f/<studio>/new-client  n={len(timings)} (4 in 5 new leads, 1 in 5 known phones)  "
        f"p50 {statistics.median(timings):6.1f} ms  p95 {_pct(timings, 0.95):6.1f} ms  "
        f"p99 {_pct(timings, 0.99):6.1f} ms  accepted {ok}/{len(statuses)}  (target p95 < 100 ms)"
    )
    print(
        f"GET  /f/<studio>/new-client  n={len(page_timings)}  p50 {statistics.median(page_timings):6.1f} ms  "
        f"p95 {_pct(page_timings, 0.95):6.1f} ms"
    )
    accepted = sum(1 for s in burst if 200 <= s < 400)
    limited = sum(1 for s in burst if s == 429)
    other = len(burst) - accepted - limited
    print(
        f"burst: {len(burst)} submissions from one address in {burst_seconds:.1f} s: "
        f"{accepted} accepted (2xx/3xx), {limited} refused with 429, {other} other"
    )


if __name__ == "__main__":
    main()
