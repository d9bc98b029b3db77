"""In headless Chromium: the owner uploads a Chinese sheet, the mapping page has guessed every column from its
header and shows the bad rows' problems; moving a column to "Do not import" and previewing again drops it; the
import is queued on Redis, the progress page waits at 0 of N, and when a real RQ worker runs the job the bar fills
and the page shows the outcome (polled by imports.js, no reload by the person) with the failed rows to download."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import serving, signed_in
from tests.conftest import need_service

pytestmark = [pytest.mark.browser, pytest.mark.redis]

SHEET = (
    "客户名称,联系人,手机,邮箱,状态,备注\n"
    "星河设计,王芳,13800138000,wang@xh.cn,签约,老客户\n"
    "坏邮箱客户,李雷,13900000000,bad-mail,意向,\n"
    "云端装饰,韩梅梅,13700000000,han@yd.cn,潜在,\n"
)


def test_mapping_page_and_progress_bar(browser, app, migrated, studio):
    redis_url = need_service("TEST_REDIS_URL", os.environ.get("TEST_REDIS_URL"))
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    with serving(migrated, REDIS_URL=redis_url) as live_server:
        owner = signed_in(browser, live_server, studio.owner_email, "17-import")
        p = owner.page
        p.goto(f"{live_server}/app/clients/import")
        p.set_input_files(
            "input[name=file]", files=[{"name": "客户.csv", "mimeType": "text/csv", "buffer": SHEET.encode()}]
        )
        p.click("form.import-upload button[type=submit]")
        p.wait_for_url(f"{live_server}/app/imports/*")
        assert p.locator("#column_0").input_value() == "name"
        assert p.locator("#column_3").input_value() == "email"
        assert p.locator("#column_4").input_value() == "status"
        assert p.locator("tr.import-bad").count() == 1
        assert "Enter a valid e-mail address" in p.locator("tr.import-bad").inner_text()
        p.select_option("#column_5", "")  # 备注: not imported
        p.click("button[value=preview]")
        p.wait_for_load_state()
        assert p.locator("#column_5").input_value() == ""
        assert "老客户" not in p.locator("table.import-preview").inner_text()
        owner.shot("mapping")

        p.click("[data-import-start]")
        p.wait_for_selector("progress.import-bar")
        assert p.locator("[data-field=total]").inner_text() == "3"
        assert p.locator("progress.import-bar").get_attribute("value") == "0"
        env = {**os.environ, **migrated, "REDIS_URL": redis_url}
        worker = subprocess.run(
            [sys.executable, "-m", "saas.cli", "worker", "--burst"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert worker.returncode == 0, worker.stderr[-2000:]
        p.wait_for_selector("[data-failed-link]:not([hidden])", timeout=60000)  # the script saw it finish
        assert p.locator("progress.import-bar").get_attribute("value") == "100"
        assert p.locator("[data-field=created]").inner_text() == "2"
        assert p.locator("[data-field=failed]").inner_text() == "1"
        owner.shot("progress")
        assert owner.problems == []
