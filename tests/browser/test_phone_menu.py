"""In headless Chromium on a phone (390×844, touch), as each role: every link of the staff menu is tapped like a
finger would (at the centre of the link, with nothing on top of it) and lands on its page; the menu closes on
navigation, on Escape and on a tap outside it. On a phone the client's page opens with how to reach its people and
the client list's filters are folded; at 1366 px the project board shows more than four of its nine columns with
every card's Move menu in sight."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Page
from tests.conftest import PASSWORD, add_member
from tests.integration.test_clients import create
from tests.integration.test_projects import new_project

pytestmark = pytest.mark.browser

# Where each menu link lands: the path and the page's heading.
HEADINGS = {
    "/app/": "Good to see you",
    "/app/clients": "Clients",
    "/app/contacts": "Contacts",
    "/app/follow-ups": "My follow-ups",
    "/app/follow-ups/logged": "Follow-ups logged",
    "/app/projects": "Projects",
    "/app/tasks": "My tasks",
    "/app/visits": "Visits",
    "/app/tickets": "Tickets",
    "/app/settings/tickets": "Service desk",
    "/app/quotes": "Quotes",
    "/app/contracts": "Contracts",
    "/app/invoices": "Invoices",
    "/app/payments": "Payments",
    "/app/receivables": "Receivables",
    "/app/settings/studio": "Studio settings",
    "/app/settings/pipeline": "Pipeline",
    "/app/settings/fields": "Custom fields",
    "/app/settings/billing": "Billing",
    "/app/settings/plan": "Plan",
    "/app/settings/members": "Team",
    "/app/settings/api-tokens": "API tokens",
    "/app/settings/audit": "Audit trail",
    "/app/notifications": "Notifications",
    "/app/account": "Your account",
    "/app/forms": "Forms",
    "/app/dashboard": "Studio dashboard",
    "/app/dashboard/me": "My dashboard",
    "/app/reports": "Reports",
    "/app/clients/import": "Import clients",
}
# What each role's menu holds (beyond Home, Clients, Projects, My tasks, Team, Notifications and Your account).
MONEY = {"/app/quotes", "/app/contracts", "/app/invoices", "/app/receivables"}
ADMIN = {"/app/settings/studio", "/app/settings/pipeline", "/app/settings/billing", "/app/settings/plan"}
# Everyone who records visits has the visits page and the field app (a page of its own, outside the workspace).
VISITS = {"/app/follow-ups", "/app/follow-ups/logged", "/app/visits", "/field/"}
# Everyone who works on service tickets (not finance) has the tickets list; admins set the service desk up.
TICKETS = {"/app/tickets"}
DESK = {"/app/settings/tickets"}
FORMS = {"/app/forms"}  # those who see every client read what the studio's forms brought in
REPORTS = {"/app/reports"}  # the report builder: everyone but field staff
HANDLES_MONEY = MONEY | {"/app/payments"}  # those who record payments also have the payments list
IMPORT = {"/app/clients/import"}  # owners, admins and managers bring sheets in (Perm.DATA_IMPORT)
STUDIO_DATA = FORMS | IMPORT
TOKENS_AUDIT = {"/app/settings/api-tokens", "/app/settings/audit"}
ADMIN |= {"/app/settings/fields"}
# The Dashboard entry: the studio board for owners, admins and managers, the personal one for everyone else.
STUDIO_BOARD, MY_BOARD = {"/app/dashboard"}, {"/app/dashboard/me"}
EXTRA = {
    "owner": HANDLES_MONEY | ADMIN | VISITS | TICKETS | DESK | STUDIO_DATA | REPORTS | TOKENS_AUDIT | STUDIO_BOARD,
    "admin": HANDLES_MONEY | ADMIN | VISITS | TICKETS | DESK | STUDIO_DATA | REPORTS | TOKENS_AUDIT | STUDIO_BOARD,
    "manager": HANDLES_MONEY | VISITS | TICKETS | STUDIO_DATA | REPORTS | STUDIO_BOARD,
    "member": MONEY | VISITS | TICKETS | REPORTS | MY_BOARD,
    "finance": HANDLES_MONEY | FORMS | REPORTS | MY_BOARD,
    "field": VISITS | TICKETS | MY_BOARD,
}
EVERYONE = {"/app/", "/app/clients", "/app/contacts", "/app/projects", "/app/tasks", "/app/settings/members"}
EVERYONE |= {"/app/notifications", "/app/account"}


def on_phone(browser, base: str, email: str, name: str) -> Page:
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = Page(context, name)
    p = page.page
    p.goto(f"{base}/login")
    p.fill("input[name=email]", email)
    p.fill("input[name=password]", PASSWORD)
    p.locator("form[action$='/login'] button[type=submit]").tap()
    p.wait_for_url(f"{base}/app/")
    return page


def tap(p, locator) -> None:
    """A finger on the centre of the element: first make sure the element itself is what is there."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None, locator
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    on_top = locator.evaluate("(el, [x, y]) => el.contains(document.elementFromPoint(x, y))", [x, y])
    assert on_top, f"something covers {locator} at {x:.0f},{y:.0f}"
    p.touchscreen.tap(x, y)


def menu_open(p) -> bool:
    return p.evaluate("document.querySelector('details[data-nav]').open")


def open_menu(p) -> None:
    if not menu_open(p):
        tap(p, p.locator("details[data-nav] > summary"))
    p.locator("#main-nav").wait_for(state="visible")
    assert menu_open(p)


def test_every_menu_link_is_reachable_by_a_tap_on_a_phone_for_every_role(browser, live_server, app, studio):
    emails = {"owner": studio.owner_email}
    for role in ("admin", "manager", "member", "finance", "field"):
        emails[role] = f"{role}@aurora.test"
        add_member(app, studio, emails[role], role, name=f"{role.title()} Person")
    for role, email in emails.items():
        page = on_phone(browser, live_server, email, f"10-phone-menu-{role}")
        p = page.page
        open_menu(p)
        links = [p.locator("#main-nav a").nth(i).get_attribute("href") for i in range(p.locator("#main-nav a").count())]
        assert set(links) == EVERYONE | EXTRA[role], role
        for href in (link for link in links if link.startswith("/app/")):
            p.goto(f"{live_server}/app/")
            open_menu(p)
            tap(p, p.locator(f"#main-nav a[href='{href}']"))
            p.wait_for_url(f"{live_server}{href}")
            if href == "/field/":  # the field app: its own bar, no workspace menu
                p.locator("header.bar #studio").wait_for(state="visible")
                continue
            heading = p.locator("main h1").first.inner_text()
            assert heading.startswith(HEADINGS[href]), (role, href, heading)
            assert not menu_open(p), (role, href)  # a new page starts with the menu closed
            assert p.locator(f"#main-nav a[href='{href}'][aria-current=page]").count() == 1
        page.shot("menu")
        assert page.problems == [], (role, page.problems)


def test_the_phone_menu_closes_on_escape_a_tap_outside_and_a_tapped_link(browser, live_server, app, studio):
    page = on_phone(browser, live_server, studio.owner_email, "10-phone-menu-closing")
    p = page.page
    open_menu(p)
    page.shot("open")
    # Nothing of the page is reachable under the open menu: the sheet covers it, below the header.
    projects = p.locator("#main-nav a[href='/app/projects']")
    assert projects.is_visible() and projects.bounding_box()["y"] > p.locator(".sidebar").bounding_box()["height"] - 1
    p.keyboard.press("Escape")
    assert not menu_open(p)
    open_menu(p)
    header = p.locator(".sidebar").bounding_box()
    studio_name = p.locator(".sidebar .studio").bounding_box()
    summary = p.locator("details[data-nav] > summary").bounding_box()
    x = (studio_name["x"] + studio_name["width"] + summary["x"]) / 2  # the header between the name and the button
    y = header["y"] + header["height"] / 2
    assert p.evaluate("([x, y]) => !document.elementFromPoint(x, y).closest('a, details')", [x, y])
    p.touchscreen.tap(x, y)
    assert not menu_open(p)
    open_menu(p)
    # Within the same page (no reload), a tapped link closes the menu too.
    p.evaluate("document.querySelector('#main-nav a').addEventListener('click', (e) => e.preventDefault())")
    tap(p, p.locator("#main-nav a").first)
    assert not menu_open(p)
    assert page.problems == [], page.problems


def test_a_clients_page_on_a_phone_starts_with_how_to_reach_them(browser, live_server, app, client, studio):
    client.login(studio.owner_email)
    url = create(client, {"name": "鹿鸣咖啡"})
    client.submit(
        f"{url}/contacts",
        {
            "name": "陈思",
            "phone": "186-2100-7788",
            "wechat": "chensi_coffee",
            "email": "cs@deer.test",
            "decision_maker": "on",
        },
    )
    for n in range(8):  # a long timeline above the contacts card
        client.submit(f"{url}/interactions", {"kind": "call", "summary": f"第 {n + 1} 次电话沟通，" * 12})
    page = on_phone(browser, live_server, studio.owner_email, "10-phone-client")
    p = page.page
    p.goto(live_server + url)
    call = p.locator(".reach a[href='tel:18621007788']")
    assert call.is_visible() and call.bounding_box()["y"] + call.bounding_box()["height"] < 844  # in the first screen
    assert "chensi_coffee" in p.locator(".reach").inner_text() and "cs@deer.test" in p.locator(".reach").inner_text()
    page.shot("reach")
    p.goto(f"{live_server}/app/clients")
    assert p.locator("input[name=q]").is_visible()
    assert not p.locator("select[name=status]").is_visible()  # folded away under Filters
    tap(p, p.locator(".filters-fold > summary"))
    assert p.locator("select[name=status]").is_visible()
    p.fill("input[name=q]", "186 2100")
    with p.expect_navigation():  # the search is a new page: wait for it, not for the one already loaded
        tap(p, p.locator(".search-row button"))
    assert p.locator("table a.strong").all_inner_texts() == ["鹿鸣咖啡"]
    page.shot("search")
    assert page.problems == [], page.problems


def test_the_board_at_1366_shows_more_than_four_columns_and_every_move_menu(browser, live_server, app, client, studio):
    client.login(studio.owner_email)
    new_project(client, create(client, {"name": "鹿鸣咖啡"}), name="校园店品牌焕新")
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    page = Page(context, "10-board-desktop")
    p = page.page
    p.goto(f"{live_server}/login")
    p.fill("input[name=email]", studio.owner_email)
    p.fill("input[name=password]", PASSWORD)
    p.click("form[action$='/login'] button[type=submit]")
    p.wait_for_url(f"{live_server}/app/")
    p.goto(f"{live_server}/app/projects")
    board = p.locator("[data-board]").bounding_box()
    columns = [p.locator(".board-col").nth(i).bounding_box() for i in range(p.locator(".board-col").count())]
    assert len(columns) == 9
    fully_seen = [c for c in columns if c["x"] >= board["x"] and c["x"] + c["width"] <= board["x"] + board["width"]]
    assert len(fully_seen) > 4, len(fully_seen)
    assert p.locator(".board-wrap.more-right").count() == 1  # the edge says there is more to the right
    assert p.locator(".board-card select").first.is_visible()  # the Move menu without any keyboard focus
    p.locator(".stage-strip a").last.click()  # the stage strip scrolls the board to the last column
    for _ in range(30):  # a smooth scroll (wait_for_function would evaluate a string, which the CSP refuses)
        if p.evaluate("document.querySelector('[data-board]').scrollLeft") > 0:
            break
        p.wait_for_timeout(100)
    assert p.evaluate("document.querySelector('[data-board]').scrollLeft") > 0
    page.shot("board")
    assert page.problems == [], page.problems
