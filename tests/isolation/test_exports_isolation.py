"""Exports across studios: another studio's export ids answer 404 (its file is never sent, its page never lists
it), and an export holds only the exporting studio's rows, whatever the filters name (another studio's client,
owner or stage ids match nothing). Runs on SQLite and on PostgreSQL, where RLS stands behind the ORM."""

from __future__ import annotations

import codecs
import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from saas.exports.models import Export
from tests.factories import api, make_token


def _export(browser, list_name: str, fmt: str = "csv", **filters):
    return browser.submit("/app/exports", {"list": list_name, "format": fmt, **filters})


def _names(response) -> list[str]:
    raw = response.get_data()
    assert raw.startswith(codecs.BOM_UTF8)
    return [row[0] for row in csv.reader(io.StringIO(raw.decode("utf-8-sig")))][1:]


def _seed(app, browser, email: str, names: list[str]) -> tuple[list[str], str]:
    browser.login(email)
    http = api(app, make_token(browser))
    ids = [http.post("/api/v1/clients", json={"name": name}).get_json()["id"] for name in names]
    invoice = {"client_id": ids[0], "title": "首期款", "amount_minor": 100_000, "due_on": "2027-01-31"}
    made = http.post("/api/v1/invoices", json=invoice).get_json()
    http.post(f"/api/v1/invoices/{made['id']}/send")
    http.post(f"/api/v1/invoices/{made['id']}/payments", json={"amount_minor": 100_000, "method": "cash"})
    return ids, made["number"]


def test_another_studios_export_ids_are_404_and_never_listed(app, client, new_client, studio, other_studio):
    _seed(app, client, studio.owner_email, ["极光客户甲"])
    app.config["EXPORT_JOB_ROWS"] = 0  # every export a job: a file to steal
    try:
        assert _export(client, "clients").status_code == 303
    finally:
        app.config.pop("EXPORT_JOB_ROWS")
    from tests.conftest import query

    theirs = query(app, studio.tenant_id, select(Export))[0]
    assert theirs.state == "ready"
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    for path in (f"/app/exports/{theirs.id}/download", "/app/exports/not-a-uuid/download"):
        response = intruder.get(path)
        assert response.status_code == 404, path
        assert "极光客户甲" not in response.get_data(as_text=True)
    assert str(theirs.id) not in intruder.get("/app/exports").get_data(as_text=True)
    assert query(app, other_studio.tenant_id, select(Export)) == []


def test_an_export_never_holds_another_studios_rows(app, client, new_client, studio, other_studio):
    """Studio B exports each list in each format, plain and filtered by studio A's own ids: only B's rows."""
    a_ids, _a_number = _seed(app, client, studio.owner_email, ["极光客户甲", "极光客户乙"])
    intruder = new_client()
    _b_ids, b_number = _seed(app, intruder, other_studio.owner_email, ["竹子客户"])
    assert _names(_export(intruder, "clients")) == ["竹子客户"]
    assert _names(_export(intruder, "invoices")) == [b_number]
    assert [row[1] for row in csv.reader(io.StringIO(_export(intruder, "payments").get_data(as_text=True)))][1:] == [
        b_number
    ]
    assert _names(_export(intruder, "projects", client=a_ids[0])) == []
    assert _names(_export(intruder, "payments", client=a_ids[0])) == []
    workbook = load_workbook(io.BytesIO(_export(intruder, "clients", "xlsx").get_data()), read_only=True)
    assert [row[0] for row in workbook.active.iter_rows(values_only=True)][1:] == ["竹子客户"]
    assert "极光".encode() not in _export(intruder, "clients", "csv", q="极光").get_data()
