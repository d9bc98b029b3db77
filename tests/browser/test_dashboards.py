"""In headless Chromium: the owner opens the studio dashboard for the first quarter of 2026; the charts are drawn
(an <svg> inside each .chart-canvas, with the page's CSP), hovering a bar shows its value as the page formats
it, a click on the funnel's signed step opens the signed clients, and the table of numbers links to the list."""

from __future__ import annotations

import pytest

from tests.browser.conftest import signed_in
from tests.conftest import studio_today
from tests.integration.dashboards_seed import seed

pytestmark = pytest.mark.browser

Q1 = "period=custom&from=2026-01-01&to=2026-03-31"


def test_charts_are_drawn_hover_shows_values_and_a_click_opens_the_list(browser, live_server, app, studio):
    seed(app, studio, studio_today())
    page = signed_in(browser, live_server, studio.owner_email, "17-dashboards", locale="en-GB")
    p = page.page
    p.goto(f"{live_server}/app/dashboard?{Q1}")
    p.wait_for_selector("#money figure.chart-drawn .chart-canvas svg")
    drawn = p.locator("figure.chart-drawn .chart-canvas svg").count()
    assert drawn >= 8, drawn
    page.shot("studio-board")

    # Hover January's bars of the monthly money chart: the tooltip says the page's own figures.
    money = p.locator("#money figure.chart-drawn").first
    money.scroll_into_view_if_needed()
    box = money.locator(".chart-canvas").bounding_box()
    tooltip = ""
    for step in range(8, 100, 4):  # sweep along the axis until the tooltip shows January
        p.mouse.move(box["x"] + box["width"] * step / 100, box["y"] + box["height"] * 0.6)
        p.wait_for_timeout(60)
        tooltip = p.evaluate(
            "() => [...document.querySelectorAll('#money .chart-canvas div')]"
            ".filter(d => d.innerText.startsWith('20') && d.innerText.includes('Revenue:'))"
            ".map(d => d.innerText).join(' ')"
        )
        if "2026-01" in tooltip:
            break
    assert "2026-01" in tooltip and "Revenue: CN¥6,000.00" in tooltip, tooltip

    # The table of numbers (for screen readers, and one tap away) links each figure to its list.
    table = p.locator("#funnel figure").first.locator("details.chart-table")
    table.locator("summary").click()
    link = table.locator("a", has_text="Signed").first
    assert "reached=signed" in link.get_attribute("href")

    # A click on the funnel's signed step opens the clients who got that far (signed now or in the past).
    funnel = p.locator("#funnel figure.chart-drawn").first
    funnel.scroll_into_view_if_needed()
    fbox = funnel.locator(".chart-canvas").bounding_box()
    with p.expect_navigation():  # the funnel stands from 4% to 70% of the width (its names to its right)
        p.mouse.click(fbox["x"] + fbox["width"] * 0.37, fbox["y"] + fbox["height"] * 0.75)
    assert "/app/clients" in p.url and "reached=signed" in p.url
    assert "鹿鸣咖啡" in p.content()
    assert page.problems == []
