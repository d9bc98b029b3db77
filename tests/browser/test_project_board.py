"""In headless Chromium: a designer starts a project from a client's page, drags its card across two stages of
the board, moves it once more with the keyboard-and-phone Move menu, and finds every move in its history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.projects.models import StageChange
from tests.browser.conftest import signed_in
from tests.conftest import add_member, query

pytestmark = pytest.mark.browser


def _drag(p, card: str, column_name: str) -> None:
    target = p.locator(".board-col", has=p.locator("h2", has_text=column_name)).locator("[data-drop]")
    # The move is posted, then the board re-read for its totals.
    with (
        p.expect_response(lambda r: r.url.endswith("fragment=board")),
        p.expect_response(lambda r: r.url.endswith("/move") and r.status == 200),
    ):
        p.locator(card).drag_to(target)
    p.locator(".board-col", has=p.locator("h2", has_text=column_name)).locator(card).wait_for()


def test_drag_a_project_across_two_stages_then_move_it_from_its_menu(browser, live_server, app, studio):
    add_member(app, studio, "wang@aurora.test", "member", name="王磊")
    page = signed_in(browser, live_server, "wang@aurora.test", "04-project-board")
    p = page.page
    p.set_viewport_size({"width": 1400, "height": 900})

    p.goto(f"{live_server}/app/clients/new")
    p.fill("input[name=name]", "鹿鸣咖啡")
    p.click("form[action$='/app/clients/new'] button[type=submit]")
    p.wait_for_url(f"{live_server}/app/clients/*")
    p.click(".client-projects a.button")
    p.fill("input[name=name]", "校园店品牌焕新")
    p.fill("input[name=value]", "120,000")
    p.fill("textarea[name=brief_goals]", "更年轻的品牌")
    p.click("form button.button-primary")
    p.wait_for_url(f"{live_server}/app/projects/*")
    project_url = p.url

    p.goto(f"{live_server}/app/projects")
    card = f"[data-card='{project_url.rsplit('/', 1)[1]}']"
    assert "¥120,000.00" in p.locator(card).inner_text()
    _drag(p, card, "Quote & contract")
    _drag(p, card, "Design")
    page.shot("dragged")
    # The counts follow the card without a reload.
    design = p.locator(".board-col", has=p.locator("h2", has_text="Design"))
    assert design.locator(".board-col-sum").inner_text() == "1 · CN¥120,000.00"
    inquiry = p.locator(".board-col", has=p.locator("h2", has_text="Inquiry"))
    assert inquiry.locator(".board-col-sum").inner_text() == "0" and "No projects" in inquiry.inner_text()

    p.reload()
    assert p.locator(".board-col", has=p.locator("h2", has_text="Design")).locator(card).count() == 1
    p.locator(card).locator("a").focus()  # keyboard users reach the Move menu through the card
    p.locator(card).locator("select").select_option(label="Feedback")
    p.locator(card).locator("button").click()
    p.wait_for_load_state()
    assert p.locator(".board-col", has=p.locator("h2", has_text="Feedback")).locator(card).count() == 1

    p.goto(project_url)
    history = p.locator("section", has=p.locator("h2", has_text="Stage history")).inner_text()
    for step in ("Inquiry → Quote & contract", "Quote & contract → Design", "Design → Feedback"):
        assert step in history, step
    assert len(query(app, studio.tenant_id, select(StageChange))) == 4
    page.shot("history")
    assert page.problems == [], page.problems
