"""Exports of the lists through the Export menu, re-opened with the csv module and openpyxl and compared with what
the list page shows for the same filters: clients (custom-field filter and column, Chinese text, formulas
neutralised, the BOM), projects, invoices and payments; money as numbers with the currency in the header, dates
in the studio's time zone, statuses in the reader's language; who may export what; a large export as a job (inline
here, a real RQ worker in the PostgreSQL pass) with its file, its notification and its download; the audit trail;
and filter values an export refuses with a clear answer."""

from __future__ import annotations

import codecs
import csv
import html
import io
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from saas.exports import lists
from saas.exports.models import Export
from saas.notify.models import Notification
from saas.tenants.models import AuditEvent
from tests.conftest import Browser, add_member, need_service, query
from tests.factories import api, make_token

FORMULA = '=HYPERLINK("http://evil.test","点我")'


def export(browser, list_name: str, fmt: str, **filters):
    return browser.submit("/app/exports", {"list": list_name, "format": fmt, **filters})


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(codecs.BOM_UTF8), raw[:10]
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def shown(page_html: str, pattern: str) -> list[str]:
    """The texts of one column of a list page, in the page's order."""
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in re.findall(pattern, page_html, re.S)]


def column(rows: list[list], header: str) -> list:
    at = rows[0].index(header)
    return [row[at] for row in rows[1:]]


class Book:
    """Studio Aurora (owner signed in, English pages): a choice field `style` and a money field `budget` on
    clients, a member with a client of their own, a finance person and a field worker; clients with Chinese
    names, one named like a formula; a project, invoices and payments."""

    def __init__(self, app, client, new_client, studio) -> None:
        self.app, self.studio, self.owner, self.new_client = app, studio, client, new_client
        add_member(app, studio, "mei@aurora.test", "member", "Member Mei")
        add_member(app, studio, "fin@aurora.test", "finance", "Finance Fang")
        add_member(app, studio, "field@aurora.test", "field", "Field Fu")
        client.login(studio.owner_email)
        for key, kind, extra in (
            ("style", "choice", {"choices": "modern | Modern | 现代\nchinese | Chinese | 新中式"}),
            ("budget", "money", {}),
        ):
            form = {"key": key, "label_en": key.title(), "label_zh": f"字段{key}", "type": kind, **extra}
            assert client.submit("/app/settings/fields/new?entity=client", form).status_code == 302
        self.http = api(app, make_token(client))
        people = {m["email"]: m["user_id"] for m in self.http.get("/api/v1/members").get_json()["data"]}
        self.mei = people["mei@aurora.test"]
        self.add(
            "鹿鸣咖啡", status="signed", tags=["VIP", "上海"], custom_fields={"style": "modern", "budget": "128000.50"}
        )
        self.add(FORMULA, status="potential", custom_fields={"style": "modern"})
        self.add("+86 工作室", status="intent", custom_fields={"style": "chinese"})
        self.add("Mei 的客户", owner_id=self.mei, custom_fields={"style": "modern"})
        self.add("张氏茶庄", status="past")

    def add(self, name: str, **data) -> str:
        made = self.http.post("/api/v1/clients", json={"name": name, **data})
        assert made.status_code == 201, made.get_json()
        client_id = made.get_json()["id"]
        if name == "鹿鸣咖啡":
            contact = {"name": "张伟", "phone": "13800138000"}
            assert self.http.post(f"/api/v1/clients/{client_id}/contacts", json=contact).status_code == 201
        return client_id

    def as_(self, email: str) -> Browser:
        browser = self.new_client()
        browser.login(email)
        return browser

    def client_id(self, name: str) -> str:
        listed = self.http.get("/api/v1/clients", query_string={"q": name}).get_json()["data"]
        return next(c["id"] for c in listed if c["name"] == name)


@pytest.fixture
def book(app, client, new_client, studio) -> Book:
    return Book(app, client, new_client, studio)


CLIENT_NAMES = r'<td class="row-title" data-label="Client"><a class="strong" href="[^"]+">(.*?)</a>'
CLIENT_STATUS = r'<td data-label="Status"><span class="pill[^"]*">(.*?)</span>'
CUSTOM = r'<td class="custom-cell" data-label="Budget">(.*?)</td>'


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_client_list_as_filtered_with_its_custom_column_is_what_the_page_shows(app, book, fmt, monkeypatch):
    """Filtered by a custom choice, sorted by pinyin, with the budget column: the export holds the page's rows in
    the page's order (read in batches of two here, so the keyset carries on across batches), Chinese intact, the
    budget a number with the currency in its header, and the formula-like name written as text."""
    monkeypatch.setattr(lists, "BATCH", 2)
    filters = {"cf.style": "modern", "cols": "budget"}
    page = book.owner.get("/app/clients", query_string=filters).get_data(as_text=True)
    response = export(book.owner, "clients", fmt, **filters)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert rows[0] == ["Client", "Tags", "Status", "Key contact", "Phone", "Owned by", "Last follow-up", "Budget (CNY)"]
    names = column(rows, "Client")
    assert [n.removeprefix("'") for n in names] == shown(page, CLIENT_NAMES)
    assert set(names) == {"鹿鸣咖啡", "'" + FORMULA, "Mei 的客户"}
    assert column(rows, "Status") == shown(page, CLIENT_STATUS)
    luming = next(r for r in rows if r[0] == "鹿鸣咖啡")
    budget = Decimal(luming[7]) if fmt == "csv" else Decimal(str(luming[7]))
    assert budget == Decimal("128000.50") and "128,000.50" in shown(page, CUSTOM)[names.index("鹿鸣咖啡")]
    assert luming[1:5] == ["VIP、上海", "Signed", "张伟", "13800138000"]
    owners = [o or "—" for o in column(rows, "Owned by")]
    assert owners == shown(page, r'<td data-label="Owned by">(.*?)</td>') and "Member Mei" in owners


def test_csv_opens_in_excel_as_utf8_and_never_runs_a_formula(book):
    """The BOM comes first; every cell that starts with = + - @ is prefixed with an apostrophe; numbers are not."""
    response = export(book.owner, "clients", "csv")
    raw = response.get_data()
    assert raw[:3] == codecs.BOM_UTF8 and "鹿鸣咖啡".encode() in raw
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    names = column(read_csv(response), "Client")
    assert "'" + FORMULA in names and "'+86 工作室" in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


def test_xlsx_cells_are_typed_and_no_cell_is_a_formula(book):
    response = export(book.owner, "clients", "xlsx", cols="budget")
    book_file = load_workbook(io.BytesIO(response.get_data()))
    cells = [cell for row in book_file.active.iter_rows() for cell in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    budget = [c for c in cells if c.column == 8 and c.row > 1 and c.value is not None]
    assert [c.data_type for c in budget] == ["n"]


def test_statuses_and_headers_are_in_the_readers_language(book):
    book.owner.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert book.owner.submit("/app/account", {"name": "Lin", "locale": "zh_CN"}).status_code in (302, 303)
    rows = read_csv(export(book.owner, "clients", "csv", status="signed", cols="budget"))
    assert rows[0][:3] == ["客户", "标签", "状态"] and rows[0][-1] == "字段budget (CNY)"
    assert rows[1][:3] == ["鹿鸣咖啡", "VIP、上海", "签约"]


def test_a_member_exports_only_the_clients_they_see_and_field_staff_export_nothing(book):
    mei = book.as_("mei@aurora.test")
    rows = read_csv(export(mei, "clients", "csv"))
    assert column(rows, "Client") == ["Mei 的客户"]
    assert export(mei, "payments", "csv").status_code == 403  # money lists are for those who handle money
    field = book.as_("field@aurora.test")
    assert export(field, "clients", "csv").status_code == 403
    assert field.get("/app/exports").status_code == 403


def test_finance_exports_the_commercial_side_of_clients_only(book):
    """Finance sees every client, but a file of clients it takes out carries no relationship detail: no last
    follow-up column."""
    rows = read_csv(export(book.as_("fin@aurora.test"), "clients", "csv"))
    assert rows[0] == ["Client", "Tags", "Status", "Key contact", "Phone", "Owned by"]
    assert len(rows) == 6


def _bill(book: Book) -> tuple[str, str]:
    """Two invoices of 鹿鸣咖啡, one sent and partly paid (a formula-like reference), one draft."""
    client_id = book.client_id("鹿鸣咖啡")
    made = book.http.post(
        "/api/v1/invoices",
        json={"client_id": client_id, "title": "首期款", "amount_minor": 300_000, "due_on": "2027-01-31"},
    ).get_json()
    book.http.post(f"/api/v1/invoices/{made['id']}/send")
    paid = {"amount_minor": 100_050, "method": "bank", "paid_on": "2026-11-30", "reference": "@招行 转账"}
    assert book.http.post(f"/api/v1/invoices/{made['id']}/payments", json=paid).status_code == 201
    draft = {"client_id": book.client_id("张氏茶庄"), "title": "尾款", "amount_minor": 50_000, "due_on": "2027-03-01"}
    book.http.post("/api/v1/invoices", json=draft)
    return made["id"], made["number"]


def test_invoices_and_payments_export_as_the_lists_show_them_for_finance(book):
    """Finance exports the money lists: amounts as numbers in major units under a header naming the currency,
    statuses labelled, the payment's reference neutralised; the payments page shows the same rows."""
    _invoice_id, number = _bill(book)
    finance = book.as_("fin@aurora.test")
    rows = read_xlsx(export(finance, "invoices", "xlsx"))
    assert rows[0] == ["Number", "Client", "Kind", "Amount (CNY)", "Balance (CNY)", "Due", "Status"]
    first = next(r for r in rows if r[0] == number)
    assert first[1:5] == ["鹿鸣咖啡", "Milestone", 3000, 1999.5] and first[6] == "Partly paid"
    assert str(first[5])[:10] == "2027-01-31"
    sent_only = read_csv(export(finance, "invoices", "csv", status="partly_paid"))
    assert column(sent_only, "Number") == [number]
    page = finance.get("/app/payments", query_string={"from": "2026-11-01", "to": "2026-11-30"}).get_data(as_text=True)
    assert number in page and "鹿鸣咖啡" in page
    paid = read_csv(export(finance, "payments", "csv", **{"from": "2026-11-01", "to": "2026-11-30", "method": "bank"}))
    assert paid[0] == [
        "Paid on",
        "Invoice",
        "Client",
        "Method",
        "Amount (CNY)",
        "Refunded (CNY)",
        "Reference",
        "Recorded by",
    ]
    assert paid[1][:7] == ["2026-11-30", number, "鹿鸣咖啡", "Bank transfer", "1000.50", "0.00", "'@招行 转账"]
    assert len(read_csv(export(finance, "payments", "csv", **{"from": "2026-12-01"}))) == 1  # the header alone


def test_projects_export_as_the_list_shows_them(book):
    created = book.http.post(
        "/api/v1/projects", json={"client_id": book.client_id("鹿鸣咖啡"), "name": "品牌升级", "value_minor": 8_800_000}
    )
    assert created.status_code == 201, created.get_json()
    page = book.owner.get("/app/projects/list").get_data(as_text=True)
    rows = read_csv(export(book.owner, "projects", "csv"))
    assert rows[0] == ["Project", "Type", "Client", "Stage", "Value (CNY)", "Due", "Owned by"]
    assert rows[1][0] == "品牌升级" and rows[1][2] == "鹿鸣咖啡" and rows[1][4] == "88000.00"
    assert rows[1][3] in page and "品牌升级" in page


def test_every_export_is_in_the_audit_trail_with_its_list_filters_and_rows(app, book):
    export(book.owner, "clients", "csv", status="signed")
    events = query(app, book.studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "export.created"))
    assert len(events) == 1
    assert events[0].data == {"list": "clients", "format": "csv", "filters": {"status": "signed"}, "rows": 1}
    trail = book.owner.get("/app/settings/audit").get_data(as_text=True)
    assert "List exported" in trail


def test_a_large_export_is_a_job_whose_file_only_its_author_downloads(app, book):
    """Above the threshold the export is prepared in the background (inline without Redis): the person lands on
    My exports, is told in the bell, and downloads the file; a colleague gets 404 for it, and so does an expired
    link."""
    app.config["EXPORT_JOB_ROWS"] = 2
    try:
        queued = export(book.owner, "clients", "xlsx")
    finally:
        app.config.pop("EXPORT_JOB_ROWS")
    assert queued.status_code == 303 and queued.headers["Location"].endswith("/app/exports")
    made = query(app, book.studio.tenant_id, select(Export))[0]
    assert (made.state, made.rows, made.format) == ("ready", 5, "xlsx")
    note = query(app, book.studio.tenant_id, select(Notification).where(Notification.kind == "export_ready"))[0]
    assert note.link == f"/app/exports/{made.id}/download" and "5 rows" in note.data["title"]
    page = book.owner.get("/app/exports").get_data(as_text=True)
    assert f"/app/exports/{made.id}/download" in page
    rows = read_xlsx(book.owner.get(note.link))
    assert len(rows) == 6 and "鹿鸣咖啡" in column(rows, "Client")
    assert book.as_("fin@aurora.test").get(note.link).status_code == 404
    events = query(app, book.studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "export.created"))
    assert [e.data["rows"] for e in events] == [5]
    from datetime import timedelta

    from saas.extensions import db
    from saas.isolation import set_tenant

    with app.app_context():
        set_tenant(db.session(), book.studio.tenant_id)
        found = db.session.get(Export, made.id)
        found.expires_at = found.finished_at - timedelta(seconds=1)
        db.session.commit()
    assert book.owner.get(note.link).status_code == 404
    assert "Expired" in book.owner.get("/app/exports").get_data(as_text=True)
    from saas.scheduling import tick

    stored = Path(app.extensions["atelier.settings"].storage_dir) / made.file_key
    assert stored.exists()
    tick(app)  # the sweep deletes the expired file; the row stays for My exports and the trail
    assert not stored.exists() and query(app, book.studio.tenant_id, select(Export))[0].file_key is None


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"status": "everything"}, "status"),
        ({"owner": "'; DROP TABLE clients; --"}, "owner"),
        ({"quiet_days": "99999999999999999999"}, "quiet_days"),
        ({"q": "字" * 5000}, "q"),
        ({"colour": "red"}, "colour"),
        ({"cf.style.regex": ".*"}, "cf.style.regex"),
    ],
)
def test_hostile_filter_values_get_a_clear_answer_and_write_nothing(app, book, filters, field):
    refused = export(book.owner, "clients", "csv", **filters)
    assert refused.status_code == 422
    assert f"<code>{field}</code>" in refused.get_data(as_text=True)
    assert query(app, book.studio.tenant_id, select(Export)) == []


def test_unknown_lists_formats_and_broken_text_are_refused(app, book):
    assert export(book.owner, "secrets", "csv").status_code == 404
    assert export(book.owner, "clients", "pdf").status_code == 422
    assert export(book.owner, "clients", "csv", q="a\x00b").status_code == 422
    assert export(book.owner, "payments", "csv", **{"from": "2026-02-30"}).status_code == 422
    assert export(book.owner, "invoices", "csv", **{"cf.style": "modern"}).status_code == 422
    assert query(app, book.studio.tenant_id, select(Export)) == []


@pytest.mark.redis
def test_a_large_export_runs_on_a_real_rq_worker(make_app, migrated, studio, new_client, client, app):
    """With Redis the job waits for a `saas worker` process, which writes the file and marks it ready."""
    redis_url = need_service("TEST_REDIS_URL", os.environ.get("TEST_REDIS_URL"))
    queued_app = make_app(REDIS_URL=redis_url)
    queued_app.config["EXPORT_JOB_ROWS"] = 1
    from saas.jobs import job_queue

    with queued_app.app_context():
        job_queue(queued_app).empty()
    Book(app, client, new_client, studio)
    queued_app.test_client_class = Browser
    browser = queued_app.test_client()
    browser.login(studio.owner_email)
    assert export(browser, "clients", "csv").status_code == 303
    assert [e.state for e in query(app, studio.tenant_id, select(Export))] == ["queued"]
    env = {**os.environ, **migrated, "REDIS_URL": redis_url}
    worker = subprocess.run(
        [sys.executable, "-m", "saas.cli", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    made = query(app, studio.tenant_id, select(Export))[0]
    assert (made.state, made.rows) == ("ready", 5)
    rows = read_csv(browser.get(f"/app/exports/{made.id}/download"))
    assert len(rows) == 6 and "鹿鸣咖啡" in column(rows, "Client")


def test_with_s3_the_file_goes_to_the_bucket_and_the_download_is_a_short_lived_link(
    make_app, moto_server, studio, client, new_client, app
):
    """The job stores the file under the studio's prefix in the bucket; the author's download is a redirect to a
    presigned GET (the bytes never pass through the app), which answers the file with its Chinese name."""
    import boto3
    import requests

    s3 = boto3.client(
        "s3", endpoint_url=moto_server, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    s3.create_bucket(Bucket="atelier-exports")
    bucket_app = make_app(
        S3_BUCKET="atelier-exports", S3_ENDPOINT_URL=moto_server, S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test"
    )
    bucket_app.config["EXPORT_JOB_ROWS"] = 1
    Book(app, client, new_client, studio)
    bucket_app.test_client_class = Browser
    browser = bucket_app.test_client()
    browser.login(studio.owner_email)
    assert export(browser, "clients", "csv").status_code == 303
    made = query(app, studio.tenant_id, select(Export))[0]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="atelier-exports").get("Contents", [])]
    assert keys == [f"tenants/{studio.tenant_id}/exports/{made.id}.csv"]
    link = browser.get(f"/app/exports/{made.id}/download")
    assert link.status_code == 302 and "X-Amz-Signature" in link.headers["Location"]
    fetched = requests.get(link.headers["Location"], timeout=10)
    assert fetched.content.startswith(codecs.BOM_UTF8) and "鹿鸣咖啡".encode() in fetched.content
    assert "filename*=UTF-8''" in fetched.headers["Content-Disposition"]


def test_projects_filter_by_custom_fields_and_show_them_as_columns_and_the_export_follows(book):
    """The project list has the client list's custom-field filters and columns: a number range and a choice
    filter the list (board too), the chosen field shows as a column, and the export holds the same rows and
    column, the number typed."""
    for key, kind, extra in (
        ("rooms", "number", {}),
        ("finish", "choice", {"choices": "oak | Oak | 橡木\nstone | Stone | 石材"}),
    ):
        form = {"key": key, "label_en": key.title(), "label_zh": f"项目{key}", "type": kind, **extra}
        assert book.owner.submit("/app/settings/fields/new?entity=project", form).status_code == 302
    client_id = book.client_id("鹿鸣咖啡")
    for name, rooms, finish in (("三居室改造", 3, "oak"), ("办公室", 8, "stone"), ("小公寓", 1, "oak")):
        body = {"client_id": client_id, "name": name, "custom_fields": {"rooms": rooms, "finish": finish}}
        assert book.http.post("/api/v1/projects", json=body).status_code == 201
    filters = {"cf.rooms.min": "2", "cf.finish": "oak", "cols": "rooms"}
    page = book.owner.get("/app/projects/list", query_string=filters).get_data(as_text=True)
    assert "三居室改造" in page and "办公室" not in page and "小公寓" not in page
    assert "<th>Rooms</th>" in page and 'data-label="Rooms">3</td>' in page
    board = book.owner.get("/app/projects", query_string=filters).get_data(as_text=True)
    assert "三居室改造" in board and "办公室" not in board
    rows = read_xlsx(export(book.owner, "projects", "xlsx", **filters))
    assert rows[0][-1] == "Rooms" and [(r[0], r[-1]) for r in rows[1:]] == [("三居室改造", 3)]
    wide = read_csv(export(book.owner, "projects", "csv", **{"cf.rooms.min": "2"}))
    assert sorted(r[0] for r in wide[1:]) == ["三居室改造", "办公室"]
    assert export(book.owner, "projects", "csv", **{"cf.rooms.between": "2"}).status_code == 422


def test_dates_are_the_studios_local_dates(app, book):
    """A follow-up at 00:30 on 1 December in Shanghai is 16:30 on 30 November in UTC: the export, like the list,
    says 1 December."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from saas.clients.models import Client
    from saas.extensions import db
    from saas.isolation import set_tenant

    with app.app_context():
        set_tenant(db.session(), book.studio.tenant_id)
        moment = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
        db.session.execute(update(Client).where(Client.name == "鹿鸣咖啡").values(last_contact_at=moment))
        db.session.commit()
    page = book.owner.get("/app/clients", query_string={"status": "signed"}).get_data(as_text=True)
    assert 'data-label="Last follow-up">2026-12-01</td>' in page
    assert read_csv(export(book.owner, "clients", "csv", status="signed"))[1][6] == "2026-12-01"
    assert str(read_xlsx(export(book.owner, "clients", "xlsx", status="signed"))[1][6])[:10] == "2026-12-01"


def test_a_job_that_cannot_write_its_file_says_so(app, book, monkeypatch):
    """Storage refusing the file leaves the export failed (said on My exports), never "being prepared" for ever,
    and nothing in the audit trail or the bell."""
    from saas.exports import services

    def refuse(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "store_file", refuse)
    app.config["EXPORT_JOB_ROWS"] = 1
    try:
        assert export(book.owner, "clients", "csv").status_code == 303
    finally:
        app.config.pop("EXPORT_JOB_ROWS")
    made = query(app, book.studio.tenant_id, select(Export))[0]
    assert (made.state, made.file_key) == ("failed", None)
    assert "Failed" in book.owner.get("/app/exports").get_data(as_text=True)
    assert query(app, book.studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "export.created")) == []
    assert query(app, book.studio.tenant_id, select(Notification).where(Notification.kind == "export_ready")) == []
