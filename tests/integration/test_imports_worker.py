"""A 100,000-row file through the job on a real RQ worker process, on PostgreSQL with Redis: the upload only
queues it; the worker imports every row in batches, the bad ones fail with their reasons without stopping the
others, a duplicate within the file is skipped, and the progress document ends at 100%."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from saas.clients.models import Client, Contact
from saas.extensions import db
from saas.isolation import set_tenant
from tests.conftest import Browser, need_service

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROWS = 100_000


def big_csv() -> bytes:
    lines = ["客户名称,联系人,手机,邮箱,标签,状态"]
    for i in range(ROWS):
        email = "broken-address" if i % 10_000 == 7 else f"c{i}@example.com"
        lines.append(f"上海{i:06d}设计,联系人{i},139{i:08d},{email},VIP、导入,意向")
    lines.append("上海000001设计,重复,,,,")  # a duplicate by name of an earlier row
    return ("\n".join(lines) + "\n").encode()


def test_a_hundred_thousand_rows_through_a_real_worker(make_app, migrated, studio):
    redis_url = need_service("TEST_REDIS_URL", os.environ.get("TEST_REDIS_URL"))
    app = make_app(REDIS_URL=redis_url)
    from saas.jobs import LONG_JOB_SECONDS, job_queue

    with app.app_context():
        job_queue(app).empty()
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(studio.owner_email)
    upload = browser.submit(
        "/app/clients/import", {"file": (io.BytesIO(big_csv()), "big.csv")}, content_type="multipart/form-data"
    )
    assert upload.status_code == 302, upload.get_data(as_text=True)[:500]
    job_url = upload.headers["Location"]
    form = {
        "column_0": "name",
        "column_1": "contact_name",
        "column_2": "phone",
        "column_3": "email",
        "column_4": "tags",
        "column_5": "status",
        "duplicates": "skip",
        "action": "start",
    }
    assert browser.submit(f"{job_url}/mapping", form).status_code == 302
    assert browser.get(f"{job_url}/progress.json").get_json()["status"] == "queued"  # not run inline
    with app.app_context():  # RQ's default of 180 s would stop a large import half-way on a slow machine
        assert [job.timeout for job in job_queue(app).jobs] == [LONG_JOB_SECONDS]

    env = {**os.environ, **migrated, "REDIS_URL": redis_url}
    worker = subprocess.run(
        [sys.executable, "-m", "saas.cli", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=600
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    state = browser.get(f"{job_url}/progress.json").get_json()
    assert (state["status"], state["done"], state["percent"]) == ("done", ROWS + 1, 100)
    assert (state["created"], state["failed"], state["skipped"]) == (ROWS - 10, 10, 1)
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        assert db.session.scalar(select(func.count()).select_from(Client)) == ROWS - 10
        assert db.session.scalar(select(func.count()).select_from(Contact)) == ROWS - 10
        sample = db.session.scalar(select(Client).where(Client.name == "上海000123设计"))
        assert (sample.status, sample.tags, sample.sort_key) == (
            "intent",
            ["VIP", "导入"],
            "shang4 hai3 000123 she4 ji4",
        )
        assert "13900000123" in sample.search_text
