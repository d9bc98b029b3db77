"""Browser fixtures: a real `saas serve` process on a free port, and headless Chromium (Debian's, never a
downloaded one) driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import ARTIFACTS, free_port, need_service, wait_for_port

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serving(migrated: dict[str, str], **settings: str) -> Iterator[str]:
    """A `saas serve` process on a free port, on the test database, with extra settings (SMTP, Stripe...)."""
    port = free_port()
    env = {**os.environ, **migrated, **settings, "PORT": str(port), "BASE_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "saas.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:  # a server that never listens (or exits) is stopped too, not left running after the test
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def live_server(app, migrated):
    with serving(migrated) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    """One Chromium per test process: starting Playwright and the browser costs ~0.5 s, and each test works
    in contexts of its own (cookies, storage and service workers apart), closed after it."""
    executable = need_service("TEST_CHROMIUM", os.environ.get("TEST_CHROMIUM"))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium):
    yield chromium
    for context in chromium.contexts:  # what the test opened, so the next test starts from a bare browser
        context.close()


class Page:
    """A Playwright page that records CSP violations and console errors, and names its screenshots."""

    def __init__(self, context, name: str) -> None:
        self.page = context.new_page()
        self.name = name
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))

    def shot(self, step: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{step}.png"), full_page=True)


def signed_in(browser, live_server: str, email: str, name: str, locale: str = "zh-CN") -> Page:
    """A fresh browser context signed in to the workspace as `email` (test password), on a laptop-sized window."""
    from tests.conftest import PASSWORD

    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = Page(context, name)
    page.page.goto(f"{live_server}/login")
    page.page.fill("input[name=email]", email)
    page.page.fill("input[name=password]", PASSWORD)
    page.page.click("form[action$='/login'] button[type=submit]")
    page.page.wait_for_url(f"{live_server}/app/")
    return page
