"""The report builder in Chromium, as a phone-sized owner would use it: changing the source brings that source's
measures and redraws the preview without a page load (report-builder.js), the chart is drawn by ECharts over its
table, and the report is saved and shown. No console errors, no CSP violations."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import signed_in
from tests.integration.test_report_builder import seed_book

pytestmark = pytest.mark.browser


def _spec(page) -> dict:
    return json.loads(page.locator("figure[data-chart] .chart-spec").text_content())


def test_the_preview_follows_each_choice_and_the_report_saves(app, studio, live_server, browser):
    seed_book(app, studio)
    owner = signed_in(browser, live_server, studio.owner_email, "report-builder", locale="en-GB")
    page = owner.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/app/reports/new")
    page.wait_for_selector("figure.chart-drawn svg")
    assert _spec(page)["categories"] == ["Potential", "Interested", "Signed"]
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url))
    page.select_option("select[name=source]", "payments")
    page.wait_for_selector("select[name=measure] option[value='sum:amount']", state="attached")
    page.select_option("select[name=measure]", "sum:amount")
    page.wait_for_function("() => JSON.parse(document.querySelector('.chart-spec').textContent).unit === 'money'")
    page.wait_for_selector("figure.chart-drawn svg")
    assert _spec(page)["series"][0]["values"] == [600_000, 400_000]
    assert loads == []  # the form was refreshed in place
    owner.shot("preview")
    page.fill("input[name=name]", "收款方式 Payments by method")
    page.click("button[value=save]")
    page.wait_for_selector("h1:has-text('收款方式 Payments by method')")
    page.wait_for_selector("figure.chart-drawn svg")
    assert _spec(page)["categories"] == ["Bank transfer", "Cash"]
    assert owner.problems == []


def test_a_click_on_a_builder_bar_opens_the_filtered_list(app, studio, live_server, browser):
    """The preview of clients by status: a click on the Signed bar opens the client list of the signed clients."""
    seed_book(app, studio)
    owner = signed_in(browser, live_server, studio.owner_email, "report-builder-link", locale="en-GB")
    page = owner.page
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(f"{live_server}/app/reports/new")
    page.wait_for_selector("figure.chart-drawn svg")
    spec = _spec(page)
    assert spec["categories"][-1] == "Signed" and "status=signed" in spec["links"][-1]
    page.locator("figure.chart-drawn .chart-canvas").scroll_into_view_if_needed()
    # The bars are the SVG's narrow filled paths (in the viewport's coordinates); Signed is the rightmost one.
    bars = page.evaluate(
        """() => [...document.querySelectorAll('figure.chart-drawn .chart-canvas svg path')]
            .map((p) => p.getBoundingClientRect())
            .filter((r) => r.width > 4 && r.width <= 40 && r.height > 4)
            .map((r) => ({x: r.x + r.width / 2, y: r.y + r.height / 2}))"""
    )
    signed = max(bars, key=lambda r: r["x"])
    with page.expect_navigation():
        page.mouse.click(signed["x"], signed["y"])
    assert "/app/clients" in page.url and "status=signed" in page.url
    content = page.content()
    assert "鹿鸣咖啡" in content and "Harbour Lane" in content and "竹林茶社" not in content
    assert owner.problems == []
