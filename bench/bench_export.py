"""Export benchmark (issue 17): the client list exported as CSV and XLSX at 10,000 and at 100,000 rows, through the
app as the studio's owner, the streamed path (the job threshold raised above the size, so the request itself
answers). Prints, per case: rows/s, time to first byte, total time, and the process's peak RSS, with the RSS the
same process had before the export began (each case runs in a fresh process, so its peak is its own): memory
that stays flat from 10k to 100k rows is what streaming in keyset batches buys.

Seeds two studios with bulk inserts: `ten` (BENCH_SMALL, 10,000 clients) and `big` (BENCH_BIG, 100,000), each
client with a contact, tags, a custom choice and a money field shown as a column, plus a formula-like name every
thousand rows.

Run:  .venv/bin/python bench/bench_export.py                 (SQLite)
      BENCH_DATABASE_URL=… BENCH_MIGRATION_DATABASE_URL=… .venv/bin/python bench/bench_export.py
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, environment
from saas.app import create_app
from saas.clients.models import Client, Contact
from saas.config import load_settings
from saas.db import utcnow
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.fields.models import FieldDefinition
from saas.i18n import sort_key
from saas.isolation import set_tenant
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.passwords import hash_password
from tests.conftest import Browser

SIZES = {"ten": int(os.environ.get("BENCH_SMALL", "10000")), "big": int(os.environ.get("BENCH_BIG", "100000"))}
PASSWORD = "bench-password-1"
BATCH = 20_000
WORDS = ("上海", "北京", "杭州", "深圳", "成都", "设计", "咖啡", "茶舍", "科技", "家居", "Studio", "Lab")


def _fields(session, tenant_id: uuid.UUID) -> None:
    choices = [
        {"key": k, "label_en": k.title(), "label_zh": zh} for k, zh in (("modern", "现代"), ("chinese", "新中式"))
    ]
    for key, kind, extra in (("style", "choice", {"choices": choices}), ("budget", "money", {})):
        session.add(
            FieldDefinition(
                tenant_id=tenant_id,
                entity="client",
                key=key,
                type=kind,
                label_en=key.title(),
                label_zh=key,
                position=0,
                **extra,
            )
        )


def seed_studio(session, slug: str, clients: int, rng: random.Random) -> None:
    tenant = Tenant(name=f"Bench {slug}", slug=slug)
    session.add(tenant)
    session.flush()
    set_tenant(session, tenant.id)
    owner = User(
        email=f"owner@{slug}.bench", name="Owner", password_hash=hash_password(PASSWORD), last_tenant_id=tenant.id
    )
    session.add(owner)
    session.flush()
    session.add(Membership(user_id=owner.id, tenant_id=tenant.id, role="owner"))
    _fields(session, tenant.id)
    now = utcnow()
    rows, contacts = [], []
    for n in range(clients):
        cid = uuid.uuid4()
        name = f"=SUM(A{n})" if n % 1000 == 0 else f"{rng.choice(WORDS)}{rng.choice(WORDS)}{n:06d}有限公司"
        rows.append(
            {
                "id": cid,
                "tenant_id": tenant.id,
                "name": name,
                "sort_key": sort_key(name),
                "kind": "company",
                "status": rng.choice(("potential", "intent", "signed", "past")),
                "tags": ["VIP", "上海"][: n % 3],
                "owner_id": owner.id,
                "search_text": name.lower(),
                "version": 1,
                "created_at": now,
                "updated_at": now - timedelta(minutes=n),
                "last_contact_at": now - timedelta(days=n % 90),
                "custom_fields": {"style": rng.choice(("modern", "chinese")), "budget": rng.randint(1, 10**8)},
            }
        )
        contacts.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant.id,
                "client_id": cid,
                "name": f"联系人{n}",
                "sort_key": sort_key(f"联系人{n}"),
                "phone": f"138{n:08d}",
                "decision_maker": True,
                "created_at": now,
            }
        )
        if len(rows) >= BATCH:
            _flush(session, rows, contacts)
    _flush(session, rows, contacts)
    session.commit()


def _flush(session, rows: list, contacts: list) -> None:
    if rows:
        session.execute(insert(Client), rows)
        session.execute(insert(Contact), contacts)
    rows.clear()
    contacts.clear()


def seed(app) -> None:
    with app.app_context():
        session = db.session()
        if session.scalar(select(Tenant).where(Tenant.slug == "big")) is not None:
            return
        started = time.perf_counter()
        rng = random.Random(17)
        for slug, size in SIZES.items():
            seed_studio(session, slug, size, rng)
        print(f"seeded {sum(SIZES.values())} clients in two studios in {time.perf_counter() - started:.0f} s")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_now_mb() -> float:
    """The resident set now (Linux), for the sampler that follows the export from start to last byte."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Sampler(threading.Thread):
    """Reads the process's RSS every 10 ms while the export runs: its highest value is the export's peak."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.highest = _rss_now_mb()
        self.running = True

    def run(self) -> None:
        while self.running:
            self.highest = max(self.highest, _rss_now_mb())
            time.sleep(0.01)


def one_case(slug: str, fmt: str, env: dict[str, str]) -> dict:
    """In its own process: sign in, export, read the body as a browser would, chunk by chunk."""
    app = create_app(env)
    app.config["EXPORT_JOB_ROWS"] = 10**9  # measure the streamed path at every size
    app.test_client_class = Browser
    browser = app.test_client()
    assert browser.login(f"owner@{slug}.bench", PASSWORD).status_code == 302
    browser.get("/app/clients")  # warm: templates, the first queries
    before = _rss_now_mb()
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    response = browser.post(
        "/app/exports",
        data={"list": "clients", "format": fmt, "cols": "style,budget", "csrf_token": browser.csrf_token()},
        buffered=False,
    )
    assert response.status_code == 200, response.status_code
    first = None
    size = 0
    for chunk in response.response:
        first = first or time.perf_counter()
        size += len(chunk)
    response.close()
    total = time.perf_counter() - started
    sampler.running = False
    sampler.join()
    return {
        "ttfb_ms": ((first or time.perf_counter()) - started) * 1000,
        "seconds": total,
        "bytes": size,
        "rss_before_mb": before,
        "rss_peak_mb": max(sampler.highest, _rss_now_mb()),
        "maxrss_mb": _peak_mb(),
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--case":
        env = json.loads(os.environ["BENCH_ENV"])
        print(json.dumps(one_case(sys.argv[2], sys.argv[3], env)))
        return
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-export-"))
    env = environment(folder)
    upgrade(load_settings(env))
    seed(create_app(env))
    analyze(env)
    print(f"backend: {env['DATABASE_URL'].split(':')[0]}; client list with 2 custom columns, streamed path")
    print("RSS: the process's resident set before the export, its highest during it (sampled every 10 ms), and")
    print("the process's lifetime peak (ru_maxrss, start-up included); each case runs in a fresh process.")
    print(
        f"{'case':<12}{'rows':>8}{'rows/s':>9}{'TTFB ms':>10}{'total s':>9}{'file MB':>9}"
        f"{'RSS before':>12}{'during':>8}{'maxrss':>8}"
    )
    for fmt in ("csv", "xlsx"):
        for slug, rows in SIZES.items():
            case = subprocess.run(
                [sys.executable, __file__, "--case", slug, fmt],
                env={**os.environ, "BENCH_ENV": json.dumps(env)},
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(case.stdout.strip().splitlines()[-1])
            print(
                f"{fmt + ' ' + slug:<12}{rows:>8}{rows / r['seconds']:>9.0f}{r['ttfb_ms']:>10.1f}{r['seconds']:>9.2f}"
                f"{r['bytes'] / 1e6:>9.1f}{r['rss_before_mb']:>10.0f}MB{r['rss_peak_mb']:>6.0f}MB"
                f"{r['maxrss_mb']:>6.0f}MB"
            )


if __name__ == "__main__":
    main()
