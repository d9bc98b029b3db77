"""Request speed over real HTTP, against a bare baseline in the same run (issue 15).

Atelier is served as production serves it (`saas serve`: gunicorn, 2 sync workers, PostgreSQL as the RLS-bound
app role, Redis for rate limits if BENCH_REDIS_URL is set), and so is bench/baseline_app.py (a one-file Flask
app doing one primary-key lookup with psycopg as the same role). `wrk` (Debian's) loads each with 8
connections; runs are interleaved and repeated (BENCH_RUNS, default 3), and the medians are printed:

  - baseline  GET /clients/<id>
  - Atelier   GET /api/v1/clients/<id>    a tenant-scoped single record, bearer token
  - Atelier   GET /api/v1/clients         the first page of the list (50)
  - Atelier   GET /app/clients/<id>       the 360° page, signed-in session (BENCH_PAGES=1)

with req/s, p50/p95/p99 and Atelier's throughput as a share of the baseline's. Absolute figures drift on a
shared machine; the ratio, measured in the same run, is the figure.

Run:  BENCH_DATABASE_URL=postgresql+psycopg://atelier_app:…@host/db \\
      BENCH_MIGRATION_DATABASE_URL=postgresql+psycopg://atelier_owner:…@host/db \\
      [BENCH_REDIS_URL=redis://…] .venv/bin/python bench/bench_http.py
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, api_token, environment
from tests.conftest import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", "2000"))
PASSWORD = "bench-pass-word-1"
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  local failed = e.status + e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT %d %.1f %.3f %.3f %.3f %d\\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, failed))
end
"""


def seed(env: dict[str, str]) -> tuple[str, str, str]:
    """A studio with CLIENTS clients (two contacts each); returns a client id, an owner token, the owner's e-mail."""
    from sqlalchemy import insert, select

    from saas.app import create_app
    from saas.clients.models import Client, Contact
    from saas.config import load_settings
    from saas.dbadmin import upgrade
    from saas.extensions import db
    from saas.isolation import set_tenant
    from saas.tenants.models import Tenant
    from saas.tenants.services import create_studio

    upgrade(load_settings(env))
    app = create_app(env)
    with app.app_context():
        if db.session.scalar(select(Tenant.id).where(Tenant.slug == "httpbench")) is None:
            membership = create_studio(
                "HTTP 基准工作室", "httpbench", "Owner", "owner@httpbench.test", "bench-pass-word-1", "zh_CN"
            )
            db.session.commit()
            set_tenant(db.session(), membership.tenant_id)
            rows = [
                {
                    "name": f"客户 {n:05d}",
                    "owner_id": membership.user_id,
                    "search_text": f"客户 {n:05d}",
                    "tags": [],
                    "tenant_id": membership.tenant_id,
                }
                for n in range(CLIENTS)
            ]
            db.session.execute(insert(Client), rows)
            db.session.commit()
            ids = db.session.scalars(select(Client.id)).all()
            db.session.execute(
                insert(Contact),
                [
                    {"client_id": i, "name": "联系人", "phone": "13800138000", "tenant_id": membership.tenant_id}
                    for i in ids
                    for _ in range(2)
                ],
            )
            db.session.commit()
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == "httpbench"))
        set_tenant(db.session(), tenant_id)
        client_id = str(db.session.scalar(select(Client.id).order_by(Client.name).limit(1)))
    analyze(env)
    return client_id, api_token(app, "httpbench"), "owner@httpbench.test"


def serve(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        command,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port(port, 60, process)
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(30)


def load(url: str, headers: dict[str, str], script: Path) -> tuple[float, float, float, float]:
    """req/s, p50, p95, p99 (ms) of one wrk run."""
    command = ["wrk", "-t1", "-c8", f"-d{SECONDS}s", "-s", str(script), url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    _total, rps, p50, p95, p99, errors = re.search(r"RESULT (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)", output).groups()
    assert int(errors) == 0, output
    return float(rps), float(p50), float(p95), float(p99)


def session_cookie(base: str, email: str) -> str:
    """A signed-in staff session, as a browser gets it (for the page)."""
    import requests

    # Production marks cookies Secure: over this plain-HTTP loopback a browser would not send them back, so the
    # cookies are carried by hand.
    page = requests.get(f"{base}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "email": email, "password": PASSWORD}
    signed_in = requests.post(f"{base}/login", data=form, cookies=page.cookies.get_dict(), allow_redirects=False)
    assert signed_in.status_code == 302, signed_in.status_code
    return "; ".join(f"{name}={value}" for name, value in signed_in.cookies.get_dict().items())


def main() -> None:
    if not os.environ.get("BENCH_DATABASE_URL"):
        sys.exit("bench_http measures PostgreSQL: set BENCH_DATABASE_URL and BENCH_MIGRATION_DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="atelier-http-"))
    env = environment(folder)
    env.update(ATELIER_ENV="production", BASE_URL="http://127.0.0.1", TRUSTED_PROXIES="0", SECRET_KEY="h" * 48)
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    client_id, token, email = seed(env)
    script = folder / "report.lua"
    script.write_text(LUA)

    app_port, base_port = free_port(), free_port()
    atelier = serve(
        [sys.executable, "-m", "saas.cli", "serve", "--host", "127.0.0.1", "--port", str(app_port), "--workers", "2"],
        {**env, "WEB_ACCESS_LOG": "0"},
        app_port,
    )
    dsn = env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    baseline = serve(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{base_port}", "bench.baseline_app:app"],
        {"BASELINE_DSN": dsn},
        base_port,
    )
    base, auth = f"http://127.0.0.1:{app_port}", {"Authorization": f"Bearer {token}"}
    cases = {
        "baseline  GET /clients/<id>": (f"http://127.0.0.1:{base_port}/clients/{client_id}", {}),
        "Atelier   GET /api/v1/clients/<id>": (f"{base}/api/v1/clients/{client_id}", auth),
        "Atelier   GET /api/v1/clients (first page)": (f"{base}/api/v1/clients", auth),
    }
    if os.environ.get("BENCH_PAGES", "1") == "1":
        cases["Atelier   GET /app/clients/<id> (360° page)"] = (
            f"{base}/app/clients/{client_id}",
            {"Cookie": session_cookie(base, email)},
        )
    try:
        results: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in cases}
        for url, headers in cases.values():
            load(url, headers, script)  # warm-up: connections, caches, the first compilation of each path
        for _ in range(RUNS):
            for name, (url, headers) in cases.items():
                results[name].append(load(url, headers, script))
                time.sleep(0.5)
    finally:
        stop(atelier)
        stop(baseline)
    report(results)


def report(results: dict[str, list[tuple[float, float, float, float]]]) -> None:
    print(
        f"wrk -t1 -c8 -d{SECONDS}s, {RUNS} interleaved runs, medians; gunicorn 2 sync workers each; "
        f"{CLIENTS} clients in the studio"
    )
    print(f"{'request':<46} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'vs baseline':>12}")
    baseline_rps = statistics.median(r[0] for r in next(iter(results.values())))
    for name, runs in results.items():
        rps, p50, p95, p99 = (statistics.median(r[i] for r in runs) for i in range(4))
        print(f"{name:<46} {rps:8.0f} {p50:8.2f} {p95:8.2f} {p99:8.2f} {rps / baseline_rps:11.1%}")


if __name__ == "__main__":
    main()
