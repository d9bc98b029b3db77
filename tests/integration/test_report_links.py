"""A builder chart's points open the list of the records they count: the clients, projects, invoices, payments or
tickets list filtered to the point's dimension values and the report's period, read through the staff pages (the
book of test_report_builder: four clients, three invoices issued around the Shanghai month edge, two payments).
A point whose value no list can filter by ("Not set", a dimension without a filter) and a source without a list
(follow-ups) do not link."""

from __future__ import annotations

import html as markup

import pytest

from tests.integration.test_report_builder import Book, seed_book, spec_in


@pytest.fixture
def book(app, studio) -> Book:
    return seed_book(app, studio)


def _spec(client, **definition: str) -> dict:
    page = client.get("/app/reports/new", query_string={"measure": "count", "chart": "bar", **definition})
    assert page.status_code == 200
    return spec_in(page.get_data(as_text=True))


def _links(spec: dict) -> dict[str, str | None]:
    return dict(zip(spec["categories"], spec["links"], strict=True))


def _listed(client, link: str, names: tuple[str, ...]) -> set[str]:
    page = markup.unescape(client.get(link).get_data(as_text=True))
    return {name for name in names if name in page}


CLIENTS = ("鹿鸣咖啡", "Harbour Lane", "竹林茶社", "Sunrise")
INVOICES = ("INV-1", "INV-2", "INV-3")


def test_a_clients_bar_opens_the_client_list_of_that_status(app, client, studio, book):
    client.login(studio.owner_email)
    links = _links(_spec(client, source="clients", dim1="status"))
    assert _listed(client, links["Signed"], CLIENTS) == {"鹿鸣咖啡", "Harbour Lane"}
    assert _listed(client, links["Potential"], CLIENTS) == {"竹林茶社"}
    by_source = _links(_spec(client, source="clients", dim1="source"))
    assert by_source["Not set"] is None and _listed(client, by_source["wechat"], CLIENTS) == {"鹿鸣咖啡", "竹林茶社"}
    by_style = _links(_spec(client, source="clients", dim1="cf.style"))
    assert "cf.style=modern" in by_style["Modern"]
    assert _listed(client, by_style["Modern"], CLIENTS) == {"鹿鸣咖啡", "竹林茶社"}


def test_with_two_dimensions_each_point_opens_its_own_list(app, client, studio, book):
    client.login(studio.owner_email)
    spec = _spec(client, source="clients", dim1="status", dim2="source")
    series = [s["name"] for s in spec["series"]]
    signed = spec["categories"].index("Signed")
    wechat = spec["point_links"][series.index("wechat")][signed]
    assert _listed(client, wechat, CLIENTS) == {"鹿鸣咖啡"}
    assert _listed(client, spec["links"][signed], CLIENTS) == {"鹿鸣咖啡", "Harbour Lane"}  # the whole bar's row
    assert spec["point_links"][series.index("Not set")][spec["categories"].index("Interested")] is None


def test_invoice_points_carry_the_reports_period_in_the_studios_days(app, client, studio, book):
    """INV-1 was issued at 00:00 on 1 April in Shanghai (16:00 UTC on 31 March): April's, as in the chart."""
    client.login(studio.owner_email)
    march = _links(_spec(client, source="invoices", dim1="status", **{"from": "2026-03-01", "to": "2026-03-31"}))
    assert set(march) == {"Sent"}
    assert "issued_from=2026-03-01" in march["Sent"] and "issued_to=2026-03-31" in march["Sent"]
    assert _listed(client, march["Sent"], INVOICES) == {"INV-2"}
    months = _links(_spec(client, source="invoices", dim1="created:month"))
    assert _listed(client, months["2026-04"], INVOICES) == {"INV-1", "INV-3"}
    assert _listed(client, months["2026-03"], INVOICES) == {"INV-2"}
    kinds = _links(_spec(client, source="invoices", dim1="kind"))
    assert all(_listed(client, link, INVOICES) == set(INVOICES) for link in kinds.values())  # all three: milestone


def test_payments_open_the_payments_list_and_follow_ups_the_follow_ups_logged(app, client, studio, book):
    client.login(studio.owner_email)
    methods = _links(_spec(client, source="payments", dim1="method", **{"from": "2026-03-01", "to": "2026-04-30"}))
    bank = client.get(methods["Bank transfer"]).get_data(as_text=True)
    assert "from=2026-03-01" in methods["Bank transfer"] and "2026-03-31" in bank and "2026-04-01" not in bank
    follow_ups = _spec(client, source="follow_ups", dim1="kind")
    assert follow_ups["categories"] and all(link.startswith("/app/follow-ups/logged?") for link in follow_ups["links"])
    page = client.get("/app/reports/new", query_string={"source": "clients", "dim1": "status"}).get_data(as_text=True)
    assert 'href="/app/clients?status=signed"' in page  # the table of numbers links too (without script)
