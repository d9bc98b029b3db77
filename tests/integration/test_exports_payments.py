"""The payments list (/app/payments), the money list that did not exist before exports: for those who handle
money only; filtered by period, method and client; latest first and keyset-paged (no page repeats or skips a
payment); a page's rows are what its export holds; in Chinese too."""

from __future__ import annotations

import codecs
import csv
import io
import re

from tests.conftest import add_member
from tests.factories import api, make_token


def _invoice(http, client_id: str, amount: int = 10_000_000) -> str:
    made = http.post(
        "/api/v1/invoices",
        json={"client_id": client_id, "title": "设计费", "amount_minor": amount, "due_on": "2027-01-31"},
    ).get_json()
    assert http.post(f"/api/v1/invoices/{made['id']}/send").status_code == 200
    return made["id"]


def _pay(http, invoice_id: str, minor: int, method: str, day: str, reference: str | None = None) -> None:
    body = {"amount_minor": minor, "method": method, "paid_on": day, "reference": reference}
    assert http.post(f"/api/v1/invoices/{invoice_id}/payments", json=body).status_code == 201


def _references(page: str) -> list[str]:
    return re.findall(r'data-label="Reference">([^<]*)</td>', page)


def test_only_people_who_handle_money_see_payments(app, client, new_client, studio):
    for email, role in (("mei@aurora.test", "member"), ("fu@aurora.test", "field"), ("fang@aurora.test", "finance")):
        add_member(app, studio, email, role)
    expected = {"mei@aurora.test": 403, "fu@aurora.test": 403, "fang@aurora.test": 200, studio.owner_email: 200}
    for email, status in expected.items():
        browser = new_client()
        browser.login(email)
        assert browser.get("/app/payments").status_code == status, email
        menu = browser.get("/app/invoices").get_data(as_text=True)
        assert ('href="/app/payments"' in menu) == (status == 200), email


def test_filters_by_period_method_and_client_and_pages_without_repeats(client, app, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    deer = http.post("/api/v1/clients", json={"name": "鹿鸣咖啡"}).get_json()["id"]
    tea = http.post("/api/v1/clients", json={"name": "云栖茶舍"}).get_json()["id"]
    deer_invoice, tea_invoice = _invoice(http, deer), _invoice(http, tea)
    for n in range(55):
        _pay(http, deer_invoice, 1000 + n, "bank", f"2026-10-{1 + n % 28:02d}", f"ref-{n:02d}")
    _pay(http, tea_invoice, 500_000, "cash", "2026-11-15", "茶舍现金")

    seen, url = [], "/app/payments"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += _references(page)
        found = re.search(r'href="(/app/payments\?[^"]*after=[^"]+)" rel="next"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert len(seen) == 56 and len(set(seen)) == 56 and seen[0] == "茶舍现金"

    assert _references(client.get("/app/payments?method=cash").get_data(as_text=True)) == ["茶舍现金"]
    november = client.get("/app/payments?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert _references(november) == ["茶舍现金"] and "¥5,000.00" in november
    by_client = client.get(f"/app/payments?client={tea}").get_data(as_text=True)
    assert _references(by_client) == ["茶舍现金"] and "All clients" in by_client
    broken = client.get("/app/payments?from=2026-02-30&method=gold&client=nope")
    assert broken.status_code == 200 and len(_references(broken.get_data(as_text=True))) == 50  # as if unfiltered

    exported = client.submit(
        "/app/exports", {"list": "payments", "format": "csv", "from": "2026-10-01", "to": "2026-10-31"}
    )
    raw = exported.get_data()
    assert raw.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1:]
    assert sorted(r[6] for r in rows) == sorted(f"ref-{n:02d}" for n in range(55))
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), reverse=True)  # the page's order: latest first


def test_the_payments_page_in_chinese(client, app, studio):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    client.login(studio.owner_email)
    client.submit("/app/account", {"name": "林", "locale": "zh_CN"})
    page = client.get("/app/payments").get_data(as_text=True)
    assert "收款" in page and "还没有收款" in page and "导出" in page
