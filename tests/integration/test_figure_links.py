"""Every figure equals the list it opens: for each dashboard widget and each report-builder source and dimension,
the number shown is the number of rows of the list its link opens (for money, the sum of the list's amounts), read
through the staff pages as the same person, on SQLite and PostgreSQL.

The studio is tests/integration/dashboards_seed.py (the first quarter of 2026 in Shanghai) with what makes the
lists and the figures part ways when they are not kept together:

- an archived client, Ash & Co (Du's, 转介绍, made 10 February, became past on 5 March), with two projects: P5,
  won on 20 March and archived, and P6, open since 2025 — churn, the repeat rate, the growth trend and the won
  projects count it (history), the funnel and the builder's clients do not (current clients);
- a follow-up of Du's due on that archived client (My follow-ups leaves it out, so does the figure);
- the studio's own fields: a client's yes/no "VIP", person "Designer" and choice "Style", a project's yes/no
  "Rush", a ticket's choice "Area";
- when clients were last followed up, a third ticket raised in March and resolved in April, a partly paid
  invoice falling due in three weeks;
- three visits: Zhao's at 鹿鸣咖啡 (15 February) and Blue Fox (00:30 on 1 April in Shanghai, done), Du's
  cancelled one at 松石茶舍 (20 January);
- a second feedback form ("Survey") with an answer without a client on 1 March and one at 00:30 on 1 April in
  Shanghai (April's).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import g
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from saas.billing import queries as billing
from saas.billing.models import Invoice
from saas.clients.models import Client, ClientEvent, Interaction
from saas.extensions import db
from saas.fields.models import FieldDefinition, FieldValue
from saas.forms.models import Form, Submission
from saas.isolation import set_tenant
from saas.projects.models import PipelineStage, Project, StageChange
from saas.reports import boards, filters
from saas.reports.builder import definition as definitions
from saas.reports.builder.registry import SOURCES
from saas.reports.builder.services import chart_for
from saas.tenants.models import Membership
from saas.tickets.models import Ticket
from saas.visits.models import Visit
from saas.web.charts import Chart
from tests.conftest import studio_today
from tests.integration.dashboards_seed import Q1, Seeded, seed


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _field(entity: str, key: str, type_: str, label: str, choices: list | None = None) -> FieldDefinition:
    found = FieldDefinition(entity=entity, key=key, type=type_, label_en=label, label_zh=label, choices=choices or [])
    db.session.add(found)
    db.session.flush()
    return found


def _values(record: Any, fields: dict[str, FieldDefinition], values: dict[str, Any]) -> None:
    """A record's custom values, in its JSON and in the typed index the lists and the builder read."""
    record.custom_fields = {**(record.custom_fields or {}), **values}
    for key, value in values.items():
        keyed = ("true" if value else "false") if isinstance(value, bool) else str(value)
        db.session.add(FieldValue(field_id=fields[key].id, record_id=record.id, keyed=keyed))


def seed_more(app, s: Seeded) -> None:
    du, su = s.users["du"], s.users["su"]
    with app.app_context():
        set_tenant(db.session(), s.studio.tenant_id)
        stages = {st.key: st for st in db.session.scalars(select(PipelineStage))}
        ash = Client(
            name="Ash & Co",
            sort_key="ash",
            owner_id=du,
            source="转介绍",
            status="past",
            created_at=at("2026-02-10 03:00"),
            archived_at=at("2026-03-06 03:00"),
        )
        db.session.add(ash)
        db.session.flush()
        s.clients["C6"] = ash.id
        db.session.add(
            ClientEvent(
                client_id=ash.id, kind="client.status_changed", data={"new": "past"}, created_at=at("2026-03-05")
            )
        )
        for key, stage, made, closed, archived in (
            ("P5", "won", "2026-02-12 02:00", "2026-03-20 02:00", "2026-03-25 02:00"),
            ("P6", "design", "2025-08-01 02:00", None, None),
        ):
            project = Project(
                client_id=ash.id,
                name=f"Project {key}",
                owner_id=du,
                type="品牌设计",
                stage_id=stages[stage].id,
                created_at=at(made),
                closed_at=at(closed) if closed else None,
                archived_at=at(archived) if archived else None,
                due_on=date(2026, 3, 15),
            )
            db.session.add(project)
            db.session.flush()
            s.projects[key] = project.id
        db.session.add(
            Interaction(
                client_id=ash.id,
                author_id=du,
                kind="call",
                summary="已归档",
                occurred_at=at("2026-01-04 02:00"),
                next_action="回访",
                next_action_due=date(2026, 1, 5),
            )
        )
        clients = {key: db.session.get(Client, ident) for key, ident in s.clients.items()}
        clients["C1"].last_contact_at = at("2026-02-11 02:00")
        clients["C3"].last_contact_at = at("2026-02-02 02:00")
        clients["C2"].last_contact_at = at("2026-03-31 16:30")  # 1 April, 00:30 in Shanghai
        style = [{"key": "modern", "label_en": "Modern", "label_zh": "现代"}]
        fields = {
            "vip": _field("client", "vip", "boolean", "VIP"),
            "designer": _field("client", "designer", "member", "Designer"),
            "style": _field("client", "style", "choice", "Style", style),
            "rush": _field("project", "rush", "boolean", "Rush"),
            "area": _field("ticket", "area", "choice", "Area", [{"key": "lobby", "label_en": "Lobby"}]),
        }
        _values(clients["C1"], fields, {"vip": True, "designer": str(du), "style": "modern"})
        _values(clients["C2"], fields, {"vip": False, "designer": str(su)})
        _values(clients["C3"], fields, {"vip": True})
        _values(db.session.get(Project, s.projects["P1"]), fields, {"rush": True})
        _values(db.session.get(Project, s.projects["P4"]), fields, {"rush": False})
        tickets = list(db.session.scalars(select(Ticket).order_by(Ticket.number)))
        _values(tickets[0], fields, {"area": "lobby"})
        db.session.add(  # partly paid and due in three weeks: falling due, as the sent INV-2 is
            Invoice(
                client_id=s.clients["C3"],
                number="INV-4",
                title="I4",
                amount_minor=80_000,
                paid_minor=30_000,
                due_on=studio_today() + timedelta(days=20),
                status="partly_paid",
            )
        )
        # A second feedback form's answer without a client (NPS and CSAT count every form's), and one in April.
        survey = Form(slug="survey", kind="feedback", status="published", title_en="Survey", title_zh="调查")
        db.session.add(survey)
        db.session.flush()
        for n, (made, csat) in enumerate((("2026-03-01 02:00", 5), ("2026-03-31 16:30", None))):
            db.session.add(Submission(form_id=survey.id, nps=8, csat=csat, ip_hash=f"s{n}", submitted_at=at(made)))
        for who, client_key, when, status in (  # the builder's visits: Zhao's two (one in April), Du's cancelled one
            ("field", "C1", "2026-02-15 02:00", "scheduled"),
            ("field", "C2", "2026-03-31 16:30", "checked_out"),
            ("du", "C5", "2026-01-20 02:00", "cancelled"),
        ):
            start = at(when)
            db.session.add(
                Visit(
                    client_id=s.clients[client_key],
                    assignee_id=s.users[who],
                    scheduled_start=start,
                    scheduled_end=start + timedelta(hours=1),
                    site_address="上海",
                    purpose="量房",
                    status=status,
                )
            )
        late = Ticket(
            number="T-0003",
            client_id=s.clients["C2"],
            subject="门牌",
            description="换",
            category="repair",
            created_at=at("2026-03-01 02:00"),
            first_response_at=at("2026-03-01 05:00"),
            resolved_at=at("2026-04-02 02:00"),
            status="closed",
            assignee_id=su,
        )
        db.session.add(late)
        db.session.commit()


@pytest.fixture
def seeded(app, studio) -> Seeded:
    s = seed(app, studio, studio_today())
    seed_more(app, s)
    return s


# --- reading a list as its page shows it ---------------------------------------------------------------------


def seeded_for_lists(app, studio) -> Seeded:
    """The dashboards' small studio with the records the links' lists add (seed_more)."""
    s = seed(app, studio, studio_today())
    seed_more(app, s)
    return s


def page_html(client, url: str, args: dict | None = None) -> str:
    """A list page's HTML, which must answer 200 for these filters."""
    response = client.get(url, query_string=args or {})
    assert response.status_code == 200, (args, response.status_code)
    return response.get_data(as_text=True)


def rows_in(client, link: str) -> int:
    """How many records the list page at `link` shows (each list's rows in its table; My follow-ups' items). The
    page must have understood every filter of the link: none is said to be left out."""
    response = client.get(link)
    assert response.status_code == 200, link
    html = response.get_data(as_text=True)
    assert "field-error" not in html, link
    if urlsplit(link).path == "/app/follow-ups":
        return len(re.findall(r'<li class="(?:overdue|today)">', html))
    after_filters = html[html.rindex('method="get"') :]  # the list's filter form, then its table (if any)
    body = re.search(r"<tbody>(.*?)</tbody>", after_filters, re.S)
    return body.group(1).count("<tr") if body else 0


def reader(app, s: Seeded, who: str):
    """Run `work(membership)` in a request of the studio as `who` (the list builders' own queries)."""

    def run(work: Callable[[Membership], Any]) -> Any:
        with app.test_request_context("/app", headers={"Accept-Language": "en"}):
            set_tenant(db.session(), s.studio.tenant_id)
            membership = db.session.get(Membership, s.members[who])
            g.membership, g.tenant = membership, membership.tenant
            try:
                return work(membership)
            finally:
                db.session.rollback()

    return run


def amount_in(app, s: Seeded, who: str, link: str) -> int:
    """The money of the list at `link`, summed by the list's own query builder: payments received, what open
    invoices still owe, contracts' amounts."""
    path, args = urlsplit(link).path, MultiDict(parse_qsl(urlsplit(link).query))

    def total(membership: Membership) -> int:
        if path == "/app/payments":
            query = billing.payments_filtered(membership, billing.PaymentFilters.from_args(args))
            return sum(row[0].amount_minor for row in db.session.execute(query))
        if path == "/app/invoices":
            query = billing.invoices_filtered(membership, billing.InvoiceFilters.from_args(args), studio_today())
            return sum(i.amount_minor - i.paid_minor for i in db.session.scalars(query))
        assert path == "/app/contracts", link
        return sum(c.amount_minor for c in billing.contracts(membership, billing.ContractFilters.from_args(args)))

    return reader(app, s, who)(total)


# --- the dashboards ------------------------------------------------------------------------------------------


def board(app, s: Seeded, who: str, name: str, args: dict) -> boards.Board:
    def build(membership: Membership) -> boards.Board:
        people = filters.studio_member_ids()
        found = filters.read(MultiDict(args), studio_today(), "Asia/Shanghai", people)
        make = boards.studio_board if name == "studio" else boards.personal_board
        return make(membership, found, studio_today()).complete()

    return reader(app, s, who)(build)


def chart_counts(chart: Chart) -> list[tuple[int, str | None]]:
    return list(zip(chart.series[0].values, chart.links, strict=True))


def counted_figures(b: boards.Board) -> list[tuple[str, int, str | None]]:
    """(what, the number shown, its link) of every figure that counts records."""
    w, found = b.widgets, []
    if "funnel" in w:
        fn = w["funnel"]
        found += [(f"funnel {st.label}", st.reached, st.link) for st in fn.clients + fn.projects]
        found += [(f"source {r.source}", r.clients, r.link) for r in fn.sources]
    if "health" in w:
        h = w["health"]
        found += [("won", h.won, h.won_link), ("late now", h.late_total, h.late_link)]
    if "value" in w:
        v = w["value"]
        found += [("repeat", v.repeat_clients, v.repeat_link), ("churn", v.churned, v.churn_link)]
        found += [("NPS answers", v.nps_answers, v.nps_link), ("CSAT answers", v.csat_answers, v.csat_link)]
    if "team" in w:
        t = w["team"]
        found += [(f"growth {m}", n, link) for m, n, link in t.growth]
        found += [(f"follow-ups by {r.name}", r.value, r.link) for r in t.follow_ups or []]
        if t.service is not None:
            found.append(("tickets raised", t.service.tickets, t.tickets_link))
    if "pipeline" in w:
        p = w["pipeline"]
        found += [(f"pipeline {st.name}", st.projects, st.link) for st in p.stages]
        found.append(("open projects", p.open_projects, p.link))
    if "mine" in w:
        m = w["mine"]
        found += [("follow-ups due", m.follow_ups_due, m.due_link), ("new clients", m.new_clients, m.new_clients_link)]
    return found


def money_figures(b: boards.Board) -> list[tuple[str, int, str | None]]:
    """(what, the amount shown, its link) of every money figure whose records a list holds."""
    found = []
    if "money" in b.widgets:
        m = b.widgets["money"]
        found += [("revenue", m.revenue, m.revenue_link), ("falling due", m.due_next_total, m.due_next_link)]
        found += [(f"month {x.label}", x.revenue, x.link) for x in m.months + m.quarters]
        found += [(f"ageing {label}", v, link) for (label, v), link in zip(m.ageing, m.ageing_links, strict=True)]
    if "team" in b.widgets:
        found += [(f"signed {r.name}", r.value, r.link) for r in b.widgets["team"].leaderboard or []]
    if "mine" in b.widgets:
        found.append(("my signed amount", b.widgets["mine"].signed_minor, b.widgets["mine"].signed_link))
    return found


BOARDS = [
    ("owner", "studio", Q1),
    ("owner", "studio", {**Q1, "period": "year"}),
    ("manager", "studio", Q1),
    ("finance", "personal", Q1),
    ("du", "personal", Q1),
    ("su", "personal", Q1),
]


@pytest.mark.parametrize(("who", "name", "args"), BOARDS)
def test_every_dashboard_figure_equals_the_list_it_opens(app, client, seeded, who, name, args):
    client.login(seeded.studio.owner_email if who == "owner" else dict(EMAILS)[who])
    b = board(app, seeded, who, name, args)
    counted = counted_figures(b)
    assert counted or name == "personal"
    for what, shown, link in counted:
        assert link, f"{what} does not link"
        assert rows_in(client, link) == shown, (what, link)
    for what, shown, link in money_figures(b):
        assert link, f"{what} does not link"
        assert amount_in(app, seeded, who, link) == shown, (what, link)


EMAILS = (("du", "du@aurora.test"), ("su", "su@aurora.test"), ("manager", "mei@aurora.test"))
EMAILS += (("finance", "fin@aurora.test"), ("field", "zhao@aurora.test"))


def test_a_board_narrowed_by_owner_links_to_that_owners_records(app, client, seeded):
    client.login(seeded.studio.owner_email)
    du = str(seeded.users["du"])
    b = board(app, seeded, "owner", "studio", {**Q1, "owner": du})
    for what, shown, link in counted_figures(b):
        assert link and f"owner={du}" in link, what  # tickets too: their client's owner
        assert rows_in(client, link) == shown, (what, link)
    for what, shown, link in money_figures(b):
        assert link and amount_in(app, seeded, "owner", link) == shown, (what, link)


NARROWED = [
    {"source": "展会"},
    {"source": "转介绍"},
    {"type": "品牌设计"},  # INV-1 and INV-2 are of 品牌设计 projects; INV-3 and INV-4 have no project: left out
    {"type": "空间设计"},
    {"source": "转介绍", "type": "品牌设计"},
]


@pytest.mark.parametrize("narrowed", NARROWED)
def test_a_board_narrowed_by_source_or_type_links_every_figure_to_its_records(app, client, seeded, narrowed):
    """The money lists filter by the client's source and the project's type now: every money figure links, with
    the board's filters as the lists spell them, and each list holds exactly the figure's records."""
    client.login(seeded.studio.owner_email)
    b = board(app, seeded, "owner", "studio", {**Q1, "period": "year", **narrowed})
    for what, shown, link in counted_figures(b):
        assert link, what
        assert rows_in(client, link) == shown, (what, link)
    for what, shown, link in money_figures(b):
        assert link, f"{what} does not link"
        for key in narrowed:
            if not what.startswith("signed") or key == "source":  # signed amounts are per client: no type
                assert f"{key}=" in link, (what, link)
        assert amount_in(app, seeded, "owner", link) == shown, (what, link)


def test_the_archive_choices_each_figure_made(app, seeded):
    """Current clients in the funnel; history (archived ones included) in growth, churn, repeat and won."""
    b = board(app, seeded, "owner", "studio", Q1)
    fn, h, v, t = (b.widgets[k] for k in ("funnel", "health", "value", "team"))
    assert [st.reached for st in fn.clients] == [4, 3, 2]  # Ash & Co, archived, is not in the funnel
    assert fn.projects[0].reached == 3  # P5 was opened in February, but is archived
    # P5, won in March and archived since, counts; late now: P3, and P6 (open, though its client is archived)
    assert (h.won, h.late_total) == (3, 2)
    assert (v.repeat_clients, v.churned) == (2, 2)  # C5 and Ash & Co came back; Old Oak and Ash & Co left
    assert dict((m, n) for m, n, _l in t.growth)["2026-02"] == 3  # 晨光书店, Old Oak and Ash & Co
    assert "archived=all" in t.growth[0][2] and "archived=all" in v.churn_link and "archived=all" in h.won_link
    assert "archived" not in fn.clients[0].link
    du = board(app, seeded, "du", "personal", Q1).widgets["mine"]
    assert du.follow_ups_due == 1  # the one due on Ash & Co, archived, is not waiting


# --- the report builder ----------------------------------------------------------------------------------------

LINKED = ("clients", "projects", "follow_ups", "invoices", "payments", "tickets", "visits")


def _charts(app, s: Seeded, who: str, source: str) -> list[tuple[str, dict, Chart]]:
    """Every count chart of the source, one per dimension, without and with the quarter as the report's period,
    and with a second dimension (the source's first one) where it differs."""

    def build(membership: Membership) -> list[tuple[str, dict, Chart]]:
        options = definitions.options_for(membership, SOURCES[source], "en")
        found = []
        first = next(iter(options.splits))
        for key in options.splits:
            for extra in ({}, {"from": "2026-01-01", "to": "2026-03-31"}, {"dim2": first}):
                if extra.get("dim2") == key:
                    continue
                raw = {"source": source, "measure": "count", "dim1": key, "chart": "bar", **extra}
                found.append((key, raw, chart_for(membership, raw)))
        return found

    return reader(app, s, who)(build)


def _points(chart: Chart) -> list[tuple[str, float | None, str | None]]:
    """(category / series, value, link) of every point, and each category's own total with its link."""
    found = []
    for i, category in enumerate(chart.categories):
        values = [serie.values[i] for serie in chart.series]
        found.append((category, sum(v or 0 for v in values), chart.links[i] if chart.links else None))
        if chart.point_links:
            found += [(f"{category} / {serie.name}", serie.values[i], chart.point_links[n][i])
                      for n, serie in enumerate(chart.series)]  # fmt: skip
    return found


@pytest.mark.parametrize("who", ["owner", "du", "finance"])
def test_every_builder_point_equals_the_list_it_opens(app, client, seeded, who):
    client.login(seeded.studio.owner_email if who == "owner" else dict(EMAILS)[who])
    linked, read = set(), {}  # the same list is opened by many points: read once
    offered = [source for source in LINKED if source in reader(app, seeded, who)(_offered)]
    assert offered
    for source in offered:
        for key, raw, chart in _charts(app, seeded, who, source):
            for what, value, link in _points(chart):
                if link is None:
                    continue
                linked.add((source, key.split(":")[0], what))
                if link not in read:
                    read[link] = rows_in(client, link)
                assert read[link] == (value or 0), (raw, what, link)
    if who == "owner":
        keys = {(source, key) for source, key, _what in linked}
        for wanted in (
            ("clients", "cf.vip"),
            ("clients", "cf.designer"),
            ("clients", "cf.style"),
            ("clients", "last_contact"),
            ("projects", "cf.rush"),
            ("projects", "due"),
            ("projects", "closed"),
            ("tickets", "resolved"),
            ("tickets", "cf.area"),
            ("follow_ups", "kind"),
            ("follow_ups", "owner"),
            ("follow_ups", "occurred"),
            ("visits", "status"),
            ("visits", "owner"),
            ("visits", "scheduled"),
        ):
            assert wanted in keys, wanted
        not_set = {(source, key) for source, key, what in linked if what == "Not set"}
        assert ("clients", "cf.vip") in not_set and ("projects", "cf.rush") in not_set


def _offered(membership: Membership) -> set[str]:
    return {s.key for s in definitions.sources_for(membership)}


# --- time per stage: the projects whose moves each bar averages ------------------------------------------------


def names_in(client, link: str) -> set[str]:
    """The projects a project-list page shows, by name."""
    response = client.get(link)
    assert response.status_code == 200 and "field-error" not in response.get_data(as_text=True), link
    html = response.get_data(as_text=True)
    body = re.search(r"<tbody>(.*?)</tbody>", html[html.rindex('method="get"') :], re.S)
    return set(re.findall(r">(Project P\d)</a>", body.group(1))) if body else set()


def _more_moves(app, s: Seeded) -> None:
    """P5 (archived) left design on 20 March; P4 (Blue Fox, 展会, 空间设计) left inquiry on 10 March; moves the
    averages leave out: P3 out of design at 00:30 on 1 April in Shanghai (April's), P4 out of design without a
    time in the stage (no recorded time: not averaged)."""
    with app.app_context():
        set_tenant(db.session(), s.studio.tenant_id)
        stages = {st.key: st.id for st in db.session.scalars(select(PipelineStage))}
        for project, old, new, when, seconds in (
            ("P5", "design", "won", "2026-03-20 02:00", 10 * 86400),
            ("P4", "inquiry", "design", "2026-03-10 02:00", 9 * 86400),
            ("P3", "design", "feedback", "2026-03-31 16:30", 200 * 86400),
            ("P4", "design", "inquiry", "2026-03-12 02:00", None),
        ):
            db.session.add(
                StageChange(
                    project_id=s.projects[project],
                    from_stage_id=stages[old],
                    to_stage_id=stages[new],
                    seconds_in_from=seconds,
                    created_at=at(when),
                )
            )
        db.session.commit()


def _stage_keys(app, s: Seeded) -> dict[str, str]:
    with app.app_context():
        set_tenant(db.session(), s.studio.tenant_id)
        return {st.name: st.key for st in db.session.scalars(select(PipelineStage))}


@pytest.mark.parametrize(
    ("who", "narrowed", "expected"),
    [
        ("owner", {}, {"inquiry": {"P1", "P2", "P4"}, "design": {"P1", "P2", "P5"}}),
        ("manager", {}, {"inquiry": {"P1", "P2", "P4"}, "design": {"P1", "P2", "P5"}}),
        ("owner", {"type": "品牌设计"}, {"inquiry": {"P1", "P2"}, "design": {"P1", "P2", "P5"}}),
        ("owner", {"source": "展会"}, {"inquiry": {"P4"}}),
        ("manager", {"owner": "su"}, {}),
    ],
)
def test_each_stage_bar_opens_the_projects_whose_moves_it_averages(app, client, seeded, who, narrowed, expected):
    """The bars show days, not projects: the list holds exactly the projects whose moves out of that stage in the
    period were averaged (an archived project's too), whatever the board is narrowed by."""
    _more_moves(app, seeded)
    args = {k: str(seeded.users[v]) if k == "owner" else v for k, v in narrowed.items()}
    client.login(seeded.studio.owner_email if who == "owner" else dict(EMAILS)[who])
    health = board(app, seeded, who, "studio", {**Q1, **args}).widgets["health"]
    keys = _stage_keys(app, seeded)
    shown = {keys[st.name]: names_in(client, st.link) for st in health.stages}
    assert shown == {key: {f"Project {p}" for p in projects} for key, projects in expected.items()}
    assert {keys[st.name]: st.moves for st in health.stages} == {k: len(v) for k, v in expected.items()}
    if health.time_sink is not None:
        assert health.time_sink.link in {st.link for st in health.stages}
        assert health.stages_chart.links == [st.link for st in health.stages]


# --- the funnel's "No source" row ------------------------------------------------------------------------------


def _sourceless(app, s: Seeded) -> None:
    """Two clients of the quarter without a source: Du's with none, Su's with an empty one (a blank import cell)."""
    with app.app_context():
        set_tenant(db.session(), s.studio.tenant_id)
        for name, owner, source, made in (
            ("无名茶室", "du", None, "2026-02-20 03:00"),
            ("Blank Ltd", "su", "", "2026-03-05 03:00"),
        ):
            made_at = at(made)
            db.session.add(Client(name=name, sort_key=name, owner_id=s.users[owner], source=source, created_at=made_at))
        db.session.commit()


@pytest.mark.parametrize(
    ("who", "name", "narrowed", "expected"),
    [("owner", "studio", {}, 2), ("manager", "studio", {"owner": "su"}, 1), ("du", "personal", {}, 1)],
)
def test_the_no_source_row_opens_the_clients_without_a_source(app, client, seeded, who, name, narrowed, expected):
    _sourceless(app, seeded)
    args = {k: str(seeded.users[v]) for k, v in narrowed.items()}
    client.login(seeded.studio.owner_email if who == "owner" else dict(EMAILS)[who])
    rows = board(app, seeded, who, name, {**Q1, **args}).widgets["funnel"].sources
    nameless = next(r for r in rows if r.source == "No source")
    assert nameless.clients == expected and nameless.link and "no_source=1" in nameless.link
    assert rows_in(client, nameless.link) == expected


def test_a_type_narrows_money_to_invoices_of_a_project_of_that_type(app, seeded):
    """An invoice without a project is of no type: INV-3 and INV-4 leave the 品牌设计 board's money, as the lists
    leave them out (`type=`)."""
    money = board(app, seeded, "owner", "studio", {**Q1, "type": "品牌设计"}).widgets["money"]
    assert money.revenue == 1_000_000  # INV-1's two payments (P1)
    assert dict(money.ageing)["Not yet due"] == 500_000  # INV-2 (P2); not INV-4, partly paid, without a project
    assert sum(v for _label, v in money.ageing) == 500_000  # nor INV-3, overdue without a project


def test_ticket_figures_count_the_tickets_of_the_boards_clients(app, client, seeded):
    """T-0001 (鹿鸣咖啡: Du's, 转介绍), T-0002 (晨光书店: Su's, 转介绍), T-0003 (Blue Fox: Du's, 展会; assigned to Su):
    "owner" is the client's, as the widget narrows tickets by their client — not the assignee."""
    client.login(seeded.studio.owner_email)
    cases = (({"owner": "du"}, 2, 2), ({"owner": "su"}, 1, 0), ({"source": "展会"}, 1, 1), ({}, 3, 2))
    for narrowed, raised, resolved in cases:  # T-0001 and T-0003 are resolved
        args = {k: str(seeded.users[v]) if k == "owner" else v for k, v in narrowed.items()}
        team = board(app, seeded, "owner", "studio", {**Q1, **args}).widgets["team"]
        assert team.service.tickets == raised, narrowed
        assert rows_in(client, team.tickets_link) == raised, team.tickets_link
        assert rows_in(client, team.resolved_link) == resolved, team.resolved_link
