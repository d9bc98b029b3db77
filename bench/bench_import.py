"""Import of clients with their contacts at the size of issue 17: a CSV of BENCH_IMPORT_ROWS rows (default
100,000; Chinese company names, a contact with phone and e-mail, tags, status, industry, source, region; 1% bad
e-mails, 1% duplicates of earlier rows), mapped and checked for duplicates, imported into a fresh studio by the
same code the job runs (saas.imports.services.run_import, batches committed), and in the same run a raw COPY of
the same rows into a bare table without any index: the floor any import stands on. Prints both, the ratio, the
time per phase (staging: reading, checking and COPYing the rows; deciding duplicates in SQL; the writes, each
batch's INSERT … SELECTs sent in one pipeline; the sort keys and search texts, made for the next batch while
PostgreSQL writes one — the pinyin within them timed apart), the undo job's time, and the peak RSS of a fresh
process running the job of 10,000 and 100,000 rows (the upload runs in a process of its own: the request holds
the file, the job streams it, so the job's memory should not follow the rows).

Run:  /tmp/devpg/reset.sh atelier_imports_bench
      BENCH_DATABASE_URL=postgresql+psycopg://atelier_app:app@127.0.0.1:55500/atelier_imports_bench \
      BENCH_MIGRATION_DATABASE_URL=postgresql+psycopg://atelier_owner:owner@127.0.0.1:55500/atelier_imports_bench \
      .venv/bin/python bench/bench_import.py
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import environment

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
CITIES = "上海 北京 广州 深圳 杭州 成都 重庆 南京 苏州 武汉 西安 长沙 厦门 青岛 天津 宁波".split()
WORDS = "星辰 云端 山水 明月 清风 锦绣 华彩 匠心 木石 青禾 远见 一方 如意 长青 新象 东方 朗润 织梦 拾光 栖居".split()
KINDS = "设计 装饰 文化 传媒 建筑 家居 科技 餐饮 品牌 空间".split()
SUFFIX = ["有限公司", "工作室", "集团", "事务所", ""]
HEADER = "客户名称,联系人,手机,邮箱,标签,状态,行业,来源,地区"


def rows(count: int) -> Iterator[list[str]]:
    """Distinct names (a number keeps 16×20×20×10×5 combinations distinct past 100,000 rows)."""
    rng = random.Random(17)
    for i in range(count):
        name = f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(KINDS)}{i}{rng.choice(SUFFIX)}"
        email = "not-an-email" if i % 100 == 3 else f"c{i}@example.com"
        phone = f"139{i:08d}"
        if i % 100 == 5:  # a duplicate of the row before, by phone
            phone = f"139{i - 1:08d}"
        yield [name, f"联系人{i}", phone, email, "VIP、导入", "意向", rng.choice(KINDS), "展会", rng.choice(CITIES)]


def csv_bytes(data: Iterator[list[str]]) -> bytes:
    return "".join([HEADER + "\n", *(",".join(r) + "\n" for r in data)]).encode()


def raw_copy_seconds(env: dict[str, str], data: Iterator[list[str]]) -> float:
    """COPY of the same rows into a bare table (no index, no RLS, no checks), as the owner role."""
    import psycopg

    url = env["MIGRATION_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_import")
        conn.execute(
            "CREATE TABLE bench_raw_import (name text, contact text, phone text, email text, tags text,"
            " status text, industry text, source text, region text)"
        )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy("COPY bench_raw_import FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_raw_import")
        conn.commit()
    return seconds


def upload_once(count: int) -> dict[str, str]:
    """A fresh studio with the file uploaded and the import queued (committed), in its own process: the upload
    request holds the file in memory, the job must not — so the job's memory is measured in another process."""
    from saas.app import create_app
    from saas.extensions import db
    from saas.imports import services
    from saas.isolation import set_tenant
    from saas.tenants.services import create_studio

    app = create_app(environment(Path(tempfile.mkdtemp(prefix="atelier-bench-import-"))))
    slug = f"imp-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        owner = create_studio("导入工作室", slug, "Owner", f"owner@{slug}.bench", "bench-password-1", "zh_CN")
        db.session.commit()
        set_tenant(db.session(), owner.tenant_id)
        started = time.perf_counter()
        content = csv_bytes(rows(count))
        job = services.upload_import(owner, "bench.csv", content)
        services.start_import(owner, job, dict(job.mapping), "skip")
        db.session.info.pop("pending_jobs", None)  # run by the next process, timed, instead of after the commit
        db.session.commit()
        return {
            "job": str(job.id),
            "tenant": str(owner.tenant_id),
            "membership": str(owner.id),
            "upload": time.perf_counter() - started,
            "file_mb": len(content) / 1024 / 1024,
        }


def import_once(prepared: dict) -> dict:
    """The job (and then the undo job) of an uploaded import, in this process; the phases timed."""
    from sqlalchemy import select

    from saas.app import create_app
    from saas.extensions import db
    from saas.imports import engine, services
    from saas.imports.models import ClientImport
    from saas.isolation import set_tenant
    from saas.tenants.models import Membership

    app = create_app(environment(Path(tempfile.mkdtemp(prefix="atelier-bench-import-"))))
    importers = []
    original_init = engine.Importer.__init__

    def remember(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        importers.append(self)

    engine.Importer.__init__ = remember
    sort_keys = {"sort keys (pinyin)": 0.0}
    original_sort_key = engine.sort_key

    def timed_sort_key(name: str) -> str:
        started = time.perf_counter()
        try:
            return original_sort_key(name)
        finally:
            sort_keys["sort keys (pinyin)"] += time.perf_counter() - started

    engine.sort_key = timed_sort_key
    tenant_id = uuid.UUID(prepared["tenant"])
    with app.app_context():
        set_tenant(db.session(), tenant_id)
        rss_before = _rss_mb()
        started = time.perf_counter()
        services.run_import(prepared["job"])
        db.session.commit()
        done = time.perf_counter()
        set_tenant(db.session(), tenant_id)
        job = db.session.scalar(select(ClientImport).where(ClientImport.id == uuid.UUID(prepared["job"])))
        counts = [job.status, job.created_count, job.updated_count, job.skipped_count, job.failed_count]
        owner = db.session.get(Membership, uuid.UUID(prepared["membership"]))
        undo_started = time.perf_counter()
        services.undo_import(owner, job)  # the request: checks and queues
        db.session.info.pop("pending_jobs", None)
        db.session.commit()
        undo_request = time.perf_counter() - undo_started
        set_tenant(db.session(), tenant_id)
        undo_started = time.perf_counter()
        services.run_undo(prepared["job"], str(owner.user_id))  # the job, as a worker runs it
        db.session.commit()
        undo = time.perf_counter() - undo_started
        set_tenant(db.session(), tenant_id)
        undone = db.session.scalar(select(ClientImport.status).where(ClientImport.id == uuid.UUID(prepared["job"])))
    phases = dict(importers[0].timings) | sort_keys if importers else sort_keys
    return {
        "rows": int(prepared["rows"]),
        "upload": prepared["upload"],
        "job": done - started,
        "phases": phases,
        "counts": counts,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": rss_before,
        "undo_request": undo_request,
        "undo": undo,
        "undone": undone,
        "file_mb": prepared["file_mb"],
    }


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=os.environ)
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def in_fresh_process(count: int) -> dict:
    """Upload in one process, the job in a fresh one (its peak RSS is the job's alone)."""
    prepared = _child("--upload", str(count)) | {"rows": count}
    return _child("--once", json.dumps(prepared))


def main() -> None:
    from saas.config import load_settings
    from saas.dbadmin import upgrade

    env = environment(Path(tempfile.mkdtemp(prefix="atelier-bench-import-")))
    if not env["DATABASE_URL"].startswith("postgresql"):
        sys.exit("bench_import measures PostgreSQL: set BENCH_DATABASE_URL and BENCH_MIGRATION_DATABASE_URL")
    upgrade(load_settings(env))
    copy_seconds = raw_copy_seconds(env, rows(ROWS))
    result = in_fresh_process(ROWS)
    total = result["upload"] + result["job"]
    print(f"rows: {ROWS}  outcome (status, created, updated, skipped, failed): {result['counts']}")
    print(f"raw COPY into a bare table      {copy_seconds:7.2f} s   {ROWS / copy_seconds:9,.0f} rows/s")
    print(f"import: upload (sniff + count)  {result['upload']:7.2f} s")
    print(f"import: job                     {result['job']:7.2f} s   {ROWS / result['job']:9,.0f} rows/s")
    for phase, seconds in sorted(result["phases"].items(), key=lambda p: -p[1]):
        print(f"    {phase:<34} {seconds:6.2f} s")
    print(f"import: upload + job            {total:7.2f} s   {ROWS / total:9,.0f} rows/s")
    print(f"undo: the request {result['undo_request']:.2f} s, the job {result['undo']:.2f} s ({result['undone']})")
    print(f"ratio import job / raw COPY     {result['job'] / copy_seconds:7.1f} x slower")
    small = in_fresh_process(max(ROWS // 10, 1000))
    for run in (small, result):
        print(
            f"peak RSS of the job at {run['rows']:>7,} rows: {run['peak_rss_mb']:4.0f} MB (before it, with the app: "
            f"{run['rss_before_mb']:.0f} MB; the file {run['file_mb']:.1f} MB; "
            f"{run['rows'] / run['job']:,.0f}"
            " rows/s)"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--upload":
        print(json.dumps(upload_once(int(sys.argv[2]))))
    elif len(sys.argv) == 3 and sys.argv[1] == "--once":
        print(json.dumps(import_once(json.loads(sys.argv[2]))))
    else:
        main()
