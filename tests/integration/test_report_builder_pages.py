"""The report builder through its pages: building without script (the form comes back with the chosen source's
options and the chart), saving, the list, editing with the version read (a second edit of the same version is a
409), pinning to one's own board and the studio's (computed with each reader's access), a definition whose custom
field was removed since (a clear message, never a 500), and every kind of refused definition, nothing saved."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update

from saas.extensions import db
from saas.fields import values
from saas.fields.models import FieldDefinition
from saas.isolation import set_tenant
from saas.reports import pins
from saas.reports.builder.models import SavedReport
from saas.tenants.models import Membership, User
from tests.conftest import create_studio, query
from tests.integration.test_report_builder import Book, seed_book, spec_in


@pytest.fixture
def book(app, studio) -> Book:
    return seed_book(app, studio)


BY_STATUS = {"source": "clients", "measure": "count", "dim1": "status", "dim2": "", "chart": "bar"}


def _save(browser, name: str = "客户状态 Clients by status", **definition: str):
    return browser.submit("/app/reports/new", {"action": "save", "name": name, **BY_STATUS, **definition})


def _reports(app, studio) -> list[SavedReport]:
    return query(app, studio.tenant_id, select(SavedReport))


def _totals(spec: dict) -> dict[str, int]:
    return dict(zip(spec["categories"], spec["series"][0]["values"], strict=True))


def test_the_form_without_script_follows_the_chosen_source(app, client, studio, book):
    client.login(studio.owner_email)
    first = client.get("/app/reports/new")
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and 'value="cf.style"' in page and 'value="sum:cf.area"' in page
    assert _totals(spec_in(page)) == {"Potential": 1, "Interested": 1, "Signed": 2}
    # The source changes to payments while the form still names a client dimension: payments' own options come.
    moved = client.submit(
        "/app/reports/new", {**BY_STATUS, "action": "preview", "source": "payments", "measure": "sum:amount"}
    )
    page = moved.get_data(as_text=True)
    assert moved.status_code == 200
    assert 'value="method" selected' in page and 'value="cf.style"' not in page
    spec = spec_in(page)
    assert spec["unit"] == "money" and spec["scale"] == 100
    assert _totals(spec) == {"Bank transfer": 600_000, "Cash": 400_000}
    assert spec["series"][0]["shown"] == ["CN¥6,000.00", "CN¥4,000.00"]


def test_save_list_show_edit_and_delete(app, client, studio, book):
    client.login(studio.owner_email)
    saved = _save(client)
    assert saved.status_code == 302
    report_url = saved.headers["Location"]
    assert _totals(spec_in(client.get(report_url).get_data(as_text=True)))["Signed"] == 2
    listing = client.get("/app/reports").get_data(as_text=True)
    assert "客户状态 Clients by status" in listing and "Clients · Number of records · Status" in listing
    edited = client.submit(
        f"{report_url}/edit",
        {**BY_STATUS, "action": "save", "name": "Follow-ups by month", "source": "follow_ups",
         "dim1": "occurred:month", "chart": "line", "version": "1"},
    )  # fmt: skip
    assert edited.status_code == 302
    spec = spec_in(client.get(report_url).get_data(as_text=True))
    assert spec["kind"] == "line" and _totals(spec) == {"2026-03": 1, "2026-04": 2}
    assert client.submit(f"{report_url}/delete").status_code == 303
    assert _reports(app, studio) == []
    assert client.get(report_url).status_code == 404


def test_two_edits_of_the_same_version_the_second_is_a_409(app, client, new_client, studio, book):
    client.login(studio.owner_email)
    report_url = _save(client).headers["Location"]
    other_tab = new_client()
    other_tab.login(studio.owner_email)
    form = {**BY_STATUS, "action": "save", "version": "1"}
    assert client.submit(f"{report_url}/edit", {**form, "name": "First"}).status_code == 302
    late = other_tab.submit(f"{report_url}/edit", {**form, "name": "Second", "chart": "pie"})
    assert late.status_code == 409
    assert "Someone changed this report" in late.get_data(as_text=True)
    (report,) = _reports(app, studio)
    assert (report.name, report.definition["chart"], report.version) == ("First", "bar", 2)


def test_refused_definitions_save_nothing(app, client, studio, book):
    other = create_studio(app, "bamboo", "wu@bamboo.test")
    with app.app_context():
        set_tenant(db.session(), other.tenant_id)
        db.session.add(
            FieldDefinition(entity="client", key="vip_level", type="number", label_en="VIP", label_zh="会员")
        )
        db.session.commit()
    client.login(studio.owner_email)
    attempts = [
        ({"source": "contracts"}, "source", "Choose one of the sources offered."),
        ({"measure": "sum:name"}, "measure", "Choose one of the measures offered."),
        ({"measure": "sum:cf.vip_level"}, "measure", "no longer there (vip_level)"),
        ({"dim1": "status; DROP TABLE clients;--"}, "dim1", "Choose one of the dimensions offered."),
        ({"dim1": "<script>alert(1)</script>"}, "dim1", "Choose one of the dimensions offered."),
        ({"dim2": "status"}, "dim2", "different from the first"),
        ({"dim2": "source", "chart": "pie"}, "chart", "A pie or a funnel shows one dimension"),
        ({"chart": "radar"}, "chart", "Choose one of the charts offered."),
        ({"from": "2026-02-30"}, "from", "Enter a date like 2026-03-31."),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "to", "The period ends before it starts."),
        ({"name": ""}, "name", "Give the report a name."),
        ({"name": "报" * 121}, "name", "Keep the name under 120 characters."),
        ({"measure": "x" * 100_000}, "measure", "Choose one of the measures offered."),
    ]
    for change, field, message in attempts:
        refused = _save(client, **change)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422, (change, refused.status_code)
        assert message in page, (field, page[:200])
        assert "<script>alert(1)</script>" not in page
    for hostile in ({"name": "a\x00b"}, {"dim1": "status\x00"}):
        assert _save(client, **hostile).status_code in (400, 422), hostile
    body = urlencode({**BY_STATUS, "action": "save", "csrf_token": client.csrf_token()}) + "&name=%FF%FE%E6%8A"
    broken = client.post("/app/reports/new", data=body, content_type="application/x-www-form-urlencoded")
    assert broken.status_code in (400, 422)
    assert _reports(app, studio) == []


def test_a_report_whose_custom_field_was_removed_says_so(app, client, studio, book):
    client.login(studio.owner_email)
    report_url = _save(client, "面积 Area by style", measure="sum:cf.area", dim1="cf.style").headers["Location"]
    assert client.submit(f"{report_url}/pin", {"board": "personal", "on": "1"}).status_code == 303
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(
            update(FieldDefinition).where(FieldDefinition.key == "area").values(archived_at=datetime.now(UTC))
        )
        values.definitions_changed()  # as the services do: every process reads the definitions again
        db.session.commit()
    shown = client.get(report_url)
    assert shown.status_code == 200
    assert "This report uses a custom field that is no longer there (area)" in shown.get_data(as_text=True)
    edit = client.get(f"{report_url}/edit")
    assert edit.status_code == 200 and "no longer there (area)" in edit.get_data(as_text=True)
    assert "no longer there" in client.get("/app/reports").get_data(as_text=True)
    assert _board(app, studio, studio.owner_email, "personal") == []  # left off the board, not half-drawn


def _board(app, studio, email: str, board: str) -> list[tuple[str, int]]:
    """What `email` sees pinned on `board`: (title, the first series' total)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        set_tenant(db.session(), studio.tenant_id)
        membership = db.session.scalar(select(Membership).join(Membership.user).where(User.email == email))
        found = [(p.title, sum(v or 0 for v in p.chart.series[0].values)) for p in pins.pinned(membership, board)]
        db.session.rollback()
        return found


def test_a_studio_pinned_report_counts_what_each_reader_sees(app, client, new_client, studio, book):
    client.login(studio.owner_email)
    report_url = _save(client, "All clients").headers["Location"]
    mei = new_client()
    mei.login("mei@aurora.test")
    assert mei.submit(f"{report_url}/pin", {"board": "studio", "on": "1"}).status_code == 404  # not hers
    assert client.submit(f"{report_url}/pin", {"board": "studio", "on": "1"}).status_code == 303
    assert _board(app, studio, studio.owner_email, "studio") == [("All clients", 4)]
    assert _board(app, studio, "mei@aurora.test", "studio") == [("All clients", 2)]
    assert _board(app, studio, "fay@aurora.test", "studio") == []  # finance: not a money source
    finance = new_client()
    finance.login("fay@aurora.test")
    assert "All clients" not in finance.get("/app/reports").get_data(as_text=True)
    assert _totals(spec_in(mei.get(report_url).get_data(as_text=True))) == {"Interested": 1, "Signed": 1}
    assert "All clients" in mei.get("/app/reports").get_data(as_text=True)
    assert mei.get(f"{report_url}/edit").status_code == 404
    assert mei.submit(f"{report_url}/delete").status_code == 404
    # A member builds and pins to their own board, never to the studio's.
    own = _save(mei, "Mine").headers["Location"]
    assert mei.submit(f"{own}/pin", {"board": "studio", "on": "1"}).status_code == 403
    assert mei.submit(f"{own}/pin", {"board": "personal", "on": "1"}).status_code == 303
    assert _board(app, studio, "mei@aurora.test", "personal") == [("Mine", 2)]
    assert _board(app, studio, studio.owner_email, "personal") == []


def test_the_builder_speaks_chinese(app, client, studio, book):
    with app.app_context():
        db.session.execute(update(User).where(User.email == studio.owner_email).values(locale="zh_CN"))
        db.session.commit()
    client.login(studio.owner_email)
    page = client.get("/app/reports/new").get_data(as_text=True)
    assert "新建报表" in page and "统计对象" in page and "面积合计" in page
    assert _totals(spec_in(page)) == {"潜在": 1, "意向": 1, "签约": 2}
    refused = _save(client, dim1="bogus").get_data(as_text=True)
    assert "请从列出的维度中选择。" in refused
