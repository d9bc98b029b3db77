"""The field app's visits list in Lighthouse (npm `lighthouse@12.2.3`, its mobile profile: a slow phone on a slow
network, simulated) against `/usr/bin/chromium`, signed in as a field worker with six visits today and tomorrow:
LCP, CLS and TBT. Then the offline start: headless Chromium on a phone profile primes the app online, the network
goes off, and the time from the navigation's start to the list being drawn (the app's `visits-drawn` mark) is
read, over BENCH_STARTS starts (default 10).

Lighthouse is installed by this script into a cache folder outside the repository ($TMPDIR/atelier-lighthouse-
12.2.3, reused by later runs); nothing of it is committed.

Run:  .venv/bin/python bench/bench_field_lighthouse.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_field_sync import gunicorn
from bench.common import environment
from saas.app import create_app
from saas.config import load_settings
from saas.dbadmin import upgrade
from tests.conftest import PASSWORD, add_member, create_studio

LIGHTHOUSE = "lighthouse@12.2.3"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/lib/chromium/chromium")
STARTS = int(os.environ.get("BENCH_STARTS", "10"))


def lighthouse_binary() -> Path:
    folder = Path(tempfile.gettempdir()) / f"atelier-{LIGHTHOUSE.replace('@', '-')}"
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"installing {LIGHTHOUSE} into {folder} …")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(folder), LIGHTHOUSE],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return binary


def session_cookie(app, email: str) -> str:
    """A real sign-in (a server-side session row in the same database), its cookie for Lighthouse's requests."""
    from tests.conftest import Browser

    app.test_client_class = Browser
    client = app.test_client()
    assert client.login(email).status_code == 302
    return client.get_cookie("atelier_session").value


def seed(app) -> tuple[str, str]:
    from bench.bench_field_sync import seed as schedule

    studio = create_studio(app, f"lh{uuid.uuid4().hex[:6]}", None, "极光设计 Aurora Design")
    email = f"field@{studio.slug}.test"
    add_member(app, studio, email, "field", name="赵六")
    schedule(app, studio, "赵六", 6)
    return studio.slug, email


def run_lighthouse(base: str, cookie: str, folder: Path) -> dict[str, float]:
    out = folder / "lighthouse.json"
    subprocess.run(
        [
            str(lighthouse_binary()),
            f"{base}/field/",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--only-categories=performance,accessibility,best-practices",
            f"--extra-headers={json.dumps({'Cookie': f'atelier_session={cookie}'})}",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": CHROME},
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    if report.get("finalDisplayedUrl", "").find("/login") >= 0:
        raise SystemExit("Lighthouse was sent to sign in: the session cookie did not work")
    return {
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "performance": report["categories"]["performance"]["score"] * 100,
        "accessibility": report["categories"]["accessibility"]["score"] * 100,
        "best_practices": report["categories"]["best-practices"]["score"] * 100,
        "lcp_element": (audits.get("largest-contentful-paint-element", {}).get("details") or {}).get("items", [{}]),
    }


def offline_starts(base: str, email: str) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import LAUNCH_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{base}/field/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action$='/login'] button[type=submit]")
        page.wait_for_selector(".visit-card")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        timings = []
        for _ in range(STARTS):
            page.goto(f"{base}/field/")
            page.wait_for_selector(".visit-card")
            timings.append(page.evaluate("performance.getEntriesByName('visits-drawn')[0].startTime"))
        browser.close()
    return timings


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-lighthouse-"))
    env = {**environment(folder), "LOGIN_RATE_LIMIT": "100000 per minute"}
    upgrade(load_settings(env))
    app = create_app(env)
    _slug, email = seed(app)
    with gunicorn(env) as base:
        scores = run_lighthouse(base, session_cookie(app, email), folder)
        starts = offline_starts(base, email)
    print(f"Lighthouse {LIGHTHOUSE.split('@')[1]}, mobile profile, the visits list (/field/, signed in):")
    print(
        f"  LCP {scores['lcp_s']:.2f} s (≤ 2.5)   CLS {scores['cls']:.3f} (≤ 0.1)   TBT {scores['tbt_ms']:.0f} ms   "
        f"FCP {scores['fcp_s']:.2f} s"
    )
    print(
        f"  scores: performance {scores['performance']:.0f}, accessibility {scores['accessibility']:.0f}, "
        f"best practices {scores['best_practices']:.0f}"
    )
    print(
        f"offline start (service worker + IndexedDB, network off), navigation → list drawn, {len(starts)} starts: "
        f"median {statistics.median(starts):.0f} ms, max {max(starts):.0f} ms (< 1000)"
    )


if __name__ == "__main__":
    main()
