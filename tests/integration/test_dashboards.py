"""The dashboards' figures against numbers computed by hand on a small studio (tests/integration/dashboards_seed.py,
the first quarter of 2026 in Shanghai): the funnel, project health, client value, money and the team, the
studio's months (a client made at 23:30 local on 31 January is January's), and an empty studio."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import g
from sqlalchemy import update
from werkzeug.datastructures import MultiDict

from saas.extensions import db
from saas.isolation import set_tenant
from saas.reports import boards, filters
from saas.reports.filters import Scope
from saas.reports.widgets.funnel import funnel
from saas.reports.widgets.health import health
from saas.reports.widgets.money import money_widget
from saas.reports.widgets.team import team
from saas.reports.widgets.value import value
from saas.tenants.models import Membership, User
from tests.conftest import studio_today
from tests.integration.dashboards_seed import Q1, Seeded, seed


def compute(app, s: Seeded, who: str, work: Callable[[Scope], Any], args: dict | None = None) -> Any:
    """Run a widget as `who` would read it, with the query string `args` (the first quarter of 2026 by default)."""
    with app.test_request_context("/app/dashboard", headers={"Accept-Language": "en"}):
        set_tenant(db.session(), s.studio.tenant_id)
        membership = db.session.get(Membership, s.members[who])
        g.membership, g.tenant = membership, membership.tenant
        found = filters.read(MultiDict(args or Q1), studio_today(), "Asia/Shanghai", filters.studio_member_ids())
        return work(Scope(membership, found))


@pytest.fixture
def seeded(app, studio) -> Seeded:
    return seed(app, studio, studio_today())


def test_the_client_funnel_counts_each_step_reached_with_conversion_and_drop_off(app, seeded):
    fn = compute(app, seeded, "owner", funnel)
    assert [(s.reached, s.conversion) for s in fn.clients] == [(4, None), (3, 0.75), (2, 2 / 3)]
    assert fn.clients[1].drop_off == 0.25
    assert [(s.label, s.reached) for s in fn.projects] == [("Inquiry", 3), ("Quoted", 2), ("Contract signed", 1)]
    assert {(r.source, r.clients, r.signed) for r in fn.sources} == {("转介绍", 2, 1), ("展会", 2, 1)}
    assert "source=%E8%BD%AC%E4%BB%8B%E7%BB%8D" in next(r.link for r in fn.sources if r.source == "转介绍")


def test_project_health_cycle_stage_times_time_sink_and_delay(app, seeded):
    h = compute(app, seeded, "owner", lambda scope: health(scope, studio_today()))
    assert (h.won, h.delivered_late, h.delay_rate) == (2, 1, 0.5)
    assert h.average_cycle == pytest.approx((30 + 2 / 24 + 30) / 2)  # P1: 30 days and 2 hours; P2: 30 days
    assert [(st.name, round(st.days, 2), st.moves) for st in h.stages] == [("Inquiry", 3.5, 2), ("Design", 26.5, 2)]
    assert h.time_sink.name == "Design"
    assert [p.name for p in h.late] == ["Project P3"] and h.late_total == 1


def test_client_value_profit_repeat_nps_csat_and_churn(app, seeded):
    v = compute(app, seeded, "owner", lambda scope: value(scope, sees_feedback=True))
    assert [(p.label, p.profit_minor) for p in v.by_client] == [("鹿鸣咖啡", 700_000), ("松石茶舍", -100_000)]
    assert [(p.label, p.profit_minor) for p in v.by_type] == [("品牌设计", 600_000)]
    assert (v.clients_with_projects, v.repeat_clients) == (3, 1)
    assert (v.nps, v.nps_answers) == (25.0, 4)  # promoters 10 and 9, detractor 3: (2 - 1) / 4
    assert (v.csat, v.csat_answers) == (2 / 3, 3)
    assert (v.churned, v.signed_now, v.churn_rate) == (1, 2, 1 / 3)


def test_money_per_studio_month_and_quarter_ageing_and_what_falls_due(app, seeded):
    m = compute(app, seeded, "owner", lambda scope: money_widget(scope, studio_today()))
    assert (m.revenue, m.costs, m.profit) == (1_000_000, 400_000, 600_000)
    months = {b.label: (b.revenue, b.costs) for b in m.months}
    assert len(m.months) == 12 and months["2026-01"] == (600_000, 300_000)  # the 23:30 payment is January's
    assert months["2026-02"] == (400_000, 0) and months["2026-03"] == (0, 100_000)
    assert months["2025-12"] == (50_000, 0)
    quarters = {b.label: b.profit for b in m.quarters}
    assert quarters["Q1 2026"] == 600_000 and quarters["Q4 2025"] == 50_000
    assert dict(m.ageing)["31–60 days"] == 150_000 and sum(v for _l, v in m.ageing) == 650_000
    assert [i.number for i in m.due_next] == ["INV-2"] and m.due_next_total == 500_000


def test_team_leaderboard_follow_ups_service_times_and_growth_in_local_months(app, seeded):
    t = compute(app, seeded, "owner", lambda scope: team(scope, relationship=True))
    assert [(p.name, p.value) for p in t.leaderboard] == [("Designer Du", 1_200_000), ("Sales Su", 300_000)]
    assert [(p.name, p.value) for p in t.follow_ups] == [("Designer Du", 3), ("Sales Su", 1)]
    assert t.service.tickets == 2
    assert t.service.first_response_hours == pytest.approx(3.0) and t.service.resolution_hours == pytest.approx(10.0)
    growth = {month: n for month, n, _link in t.growth}
    # 15:30 UTC on 31 January is 23:30 in Shanghai (January); 16:30 UTC is 00:30 on 1 February (February).
    assert (growth["2026-01"], growth["2026-02"], growth["2025-06"]) == (2, 2, 1)
    assert next(iter(growth)) == "2025-04" and len(growth) == 12


def test_filters_narrow_every_widget_owner_source_and_type(app, seeded):
    su = str(seeded.users["su"])
    t = compute(app, seeded, "owner", lambda scope: team(scope, True), {**Q1, "owner": su})
    assert [(p.name, p.value) for p in t.leaderboard] == [("Sales Su", 300_000)]
    fn = compute(app, seeded, "owner", funnel, {**Q1, "source": "展会"})
    assert [s.reached for s in fn.clients] == [2, 2, 1]
    m = compute(app, seeded, "owner", lambda scope: money_widget(scope, studio_today()), {**Q1, "type": "空间设计"})
    assert (m.revenue, m.costs) == (0, 0)


def _page(client, path: str, args: dict | None = None) -> str:
    response = client.get(path, query_string=args or Q1)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def test_the_studio_dashboard_page_shows_every_widget_with_links_and_charts(app, client, seeded):
    client.login(seeded.studio.owner_email)
    html = _page(client, "/app/dashboard")
    for section in ('id="funnel"', 'id="health"', 'id="value"', 'id="money"', 'id="team"'):
        assert section in html
    assert 'class="chart-spec"' in html and "Show the numbers" in html
    assert "/app/clients?reached=signed" in html  # the signed step links to the clients who got that far
    assert "Project P3" in html and "INV-2" in html
    assert "2026-01-01 to 2026-03-31" in html


def test_the_dashboard_speaks_chinese(app, client, seeded):
    with app.app_context():
        db.session.execute(update(User).where(User.email == seeded.studio.owner_email).values(locale="zh_CN"))
        db.session.commit()
    client.login(seeded.studio.owner_email)
    html = _page(client, "/app/dashboard")
    assert "工作室看板" in html and "销售漏斗" in html and "项目健康度" in html and "2026 年第 1 季度" in html
    assert "¥10,000.00" in html  # the quarter's revenue, in the studio's currency


def test_an_empty_studio_renders_every_widget_as_no_data(app, client, studio):
    client.login(studio.owner_email)
    for path in ("/app/dashboard", "/app/dashboard/me"):
        html = _page(client, path, {"period": "year"})
        assert "No data for this period yet." in html


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_each_named_period_renders(app, client, seeded, period):
    client.login(seeded.studio.owner_email)
    _page(client, "/app/dashboard", {"period": period})


def test_pinned_reports_follow_the_boards_own_widgets(app, client, seeded):
    from saas.reports import pins
    from saas.web.charts import Chart, series

    def source(membership, board):
        chart = Chart("bar", ["A", "B"], [series("n", [1, 2], str)])
        return [pins.Pinned(f"钉住的报表 {board}", chart, "/app/reports/42")]

    pins.register(source)
    try:
        client.login(seeded.studio.owner_email)
        html = _page(client, "/app/dashboard")
        assert '<a href="/app/reports/42">钉住的报表 studio</a>' in html
        assert html.index('id="team"') < html.index("钉住的报表 studio")
        assert "钉住的报表 personal" in _page(client, "/app/dashboard/me")
    finally:
        pins._sources.remove(source)


def test_boards_assemble_for_each_role(app, seeded):
    def board_of(who: str):
        build = lambda scope: boards.personal_board(scope.membership, scope.filters, studio_today())  # noqa: E731
        return compute(app, seeded, who, lambda scope: build(scope).complete())

    assert list(board_of("field").widgets) == ["visits", "mine"]
    assert list(board_of("finance").widgets) == ["money"]
    assert list(board_of("du").widgets) == ["mine", "pipeline", "funnel", "money"]


def test_a_figures_link_opens_the_list_of_exactly_its_records(app, client, seeded):
    """The funnel's first step lists the quarter's cohort (C1–C4, not last year's C5); January's point of the growth
    trend lists the clients made in January in Shanghai (C2 at 23:30 on the 31st, not C3 at 00:30 on 1 February)."""
    client.login(seeded.studio.owner_email)
    fn = compute(app, seeded, "owner", funnel)
    cohort = client.get(fn.clients[0].link).get_data(as_text=True)
    assert all(name in cohort for name in ("鹿鸣咖啡", "Blue Fox", "晨光书店", "Old Oak")) and "松石茶舍" not in cohort
    t = compute(app, seeded, "owner", lambda scope: team(scope, relationship=True))
    january = next(link for month, _n, link in t.growth if month == "2026-01")
    listed = client.get(january).get_data(as_text=True)
    assert "鹿鸣咖啡" in listed and "Blue Fox" in listed and "晨光书店" not in listed and "Old Oak" not in listed
    bad = client.get("/app/clients?created_from=2026-02-30&created_to=x")  # said beside the fields, left out
    assert bad.status_code == 200 and "Enter a date as YYYY-MM-DD." in bad.get_data(as_text=True)
    # The projects' funnel counts the projects opened in the quarter: its link lists P1, P2 and P4, not 2025's P3.
    opened = client.get(fn.projects[0].link).get_data(as_text=True)
    assert "created_from=2026-01-01" in fn.projects[0].link and "created_to=2026-03-31" in fn.projects[0].link
    assert all(f"Project {p}" in opened for p in ("P1", "P2", "P4")) and "Project P3" not in opened
    # The tickets raised in the quarter: the board's figure opens the ticket list of that quarter.
    html = _page(client, "/app/dashboard", Q1)
    raised = re.search(r'href="(/app/tickets\?[^"]*status=all[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "created_from=2026-01-01" in raised and "created_to=2026-03-31" in raised
    listed = client.get(raised).get_data(as_text=True)
    assert "灯箱" in listed and "发票" in listed
    outside = client.get("/app/tickets?status=all&created_from=2026-04-01").get_data(as_text=True)
    assert "灯箱" not in outside and "发票" not in outside
    # Revenue is what was paid in the quarter: the payments list of those days.
    revenue = re.search(r'href="(/app/payments\?[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "from=2026-01-01" in revenue and "to=2026-03-31" in revenue
    paid = client.get(revenue).get_data(as_text=True)
    assert "2026-02-01" in paid and "2025-12-20" not in paid  # the quarter's payments, not December's
    # A month's bar of the money chart opens that month's payments (the 23:30 one of 31 January is January's).
    m = compute(app, seeded, "owner", lambda scope: money_widget(scope, studio_today()), Q1)
    january = next(b for b in m.months if b.label == "2026-01")
    assert "from=2026-01-01" in january.link and "to=2026-01-31" in january.link
    listed = client.get(january.link).get_data(as_text=True)
    assert "2026-01-31" in listed and "2026-02-01" not in listed
    assert january.link.replace("&", "&amp;") in html  # the page's chart (and its table) carries it
    first_quarter = next(b for b in m.quarters if b.label == "Q1 2026")
    assert "from=2026-01-01" in first_quarter.link and "to=2026-03-31" in first_quarter.link


def test_the_board_is_sent_in_parts_its_frame_first(app, client, seeded):
    """The frame (title, period, filters) is the first part, each widget a part of its own as it is computed; the
    parts make the same one page, which works without script."""
    client.login(seeded.studio.owner_email)
    response = client.get("/app/dashboard", query_string=Q1, buffered=False)
    parts = [part.decode() if isinstance(part, bytes) else part for part in response.response]
    assert response.status_code == 200 and response.headers["X-Accel-Buffering"] == "no"
    assert "dash-filters" in parts[0] and 'class="card dash-widget' not in parts[0]
    widgets = ('id="funnel"', 'id="health"', 'id="value"', 'id="money"', 'id="team"')
    assert [next(n for n, part in enumerate(parts) if w in part) for w in widgets] == [1, 2, 3, 4, 5]
    page = "".join(parts)
    assert page.rstrip().endswith("</html>") and "atelier:part" not in page
    assert _page(client, "/app/dashboard/me").count('class="card dash-widget') == 4  # mine, pipeline, funnel, money


def test_a_widget_that_fails_is_said_in_its_place_and_the_others_shown(app, client, seeded, monkeypatch):
    """Once the frame is sent the page's status is too: a failing widget is logged and says so, never a cut page."""

    def broken(*_args):
        raise RuntimeError("broken widget")

    client.login(seeded.studio.owner_email)
    monkeypatch.setattr(boards, "health", broken)
    monkeypatch.setattr(app, "testing", False)
    html = _page(client, "/app/dashboard")
    assert "These figures could not be computed just now." in html
    assert 'id="value"' in html and 'id="team"' in html and "INV-2" in html  # the widgets after it still come
