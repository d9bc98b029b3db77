"""The chart foundation: the pinned library is served from node_modules (never a CDN), and a chart is first of all
a table of its numbers with links to the lists behind them."""

from __future__ import annotations

from flask import Flask, render_template_string

from saas.web.charts import Chart, series
from saas.web.vendor import FILES, NODE_MODULES

MACRO = '{% from "macros/charts.html" import chart %}{{ chart(spec, "Signed per month") }}'


def test_echarts_is_served_from_node_modules_with_its_version(client, app: Flask) -> None:
    package, path = FILES["echarts.js"]
    assert (NODE_MODULES / package / path).is_file(), "make install runs npm ci (scripts/assets.sh)"
    with app.test_request_context():
        url = render_template_string("{{ vendor_url('echarts.js') }}")
    assert "v=6." in url
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "immutable" in response.headers["Cache-Control"]
    assert b"echarts" in response.data[:5000].lower() or len(response.data) > 500_000


def test_only_named_files_are_served(client) -> None:
    assert client.get("/vendor/package.json").status_code == 404
    assert client.get("/vendor/..%2Fpackage.json").status_code == 404


def test_a_chart_is_a_table_of_its_numbers_with_links(app: Flask) -> None:
    spec = Chart(
        "bar",
        ["2026-11", "2026-12"],
        [series("Signed", [120_00, 0], lambda v: f"¥{v / 100:.2f}")],
        unit="money",
        scale=100,
        links=["/app/projects?month=2026-11", None],
    )
    with app.test_request_context():
        html = render_template_string(MACRO, spec=spec)
    assert '<a href="/app/projects?month=2026-11">¥120.00</a>' in html
    assert '<td class="num">¥0.00</td>' in html
    assert 'class="chart-spec"' in html and '"scale": 100' in html


def test_an_empty_chart_says_so_instead_of_drawing_nothing(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = render_template_string(MACRO, spec=Chart("line", [], [series("Signed", [], str)]))
    assert "No data for this period yet." in html
    assert "chart-spec" not in html
