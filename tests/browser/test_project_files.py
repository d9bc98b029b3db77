"""In headless Chromium: a designer uploads two drafts (an image and a PDF) on a project's page; the browser
sends the bytes itself, the app checks them, and the page shows both with their previews."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.conftest import signed_in
from tests.conftest import add_member

pytestmark = pytest.mark.browser


def test_upload_an_image_and_a_pdf_on_a_project(browser, live_server, app, studio, tmp_path):
    from reportlab.pdfgen import canvas

    add_member(app, studio, "wang@aurora.test", "member", name="王磊")
    page = signed_in(browser, live_server, "wang@aurora.test", "06-project-files")
    p = page.page
    p.goto(f"{live_server}/app/clients/new")
    p.fill("input[name=name]", "鹿鸣咖啡")
    p.click("form[action$='/app/clients/new'] button[type=submit]")
    p.wait_for_url(f"{live_server}/app/clients/*")
    p.click(".client-projects a.button")
    p.fill("input[name=name]", "菜单设计")
    p.click("form button.button-primary")
    p.wait_for_url(f"{live_server}/app/projects/*")

    image = tmp_path / "效果图 v1.png"
    Image.new("RGB", (1200, 800), (47, 111, 94)).save(image)
    pdf = tmp_path / "方案.pdf"
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    for number in (1, 2):
        sheet.drawString(100, 700, f"Page {number}")
        sheet.showPage()
    sheet.save()
    pdf.write_bytes(buffer.getvalue())
    with p.expect_navigation():
        p.set_input_files("[data-upload] input[type=file]", [str(image), str(pdf)])
    tiles = p.locator(".file-grid li")
    assert tiles.count() == 2
    assert "效果图 v1.png" in tiles.all_inner_texts()[1] and "2" in tiles.all_inner_texts()[0]
    # The thumbnails load after the page (lazily): wait for them, rather than catch them mid-flight.
    p.wait_for_function(
        "() => [...document.querySelectorAll('.file-grid img')].every(i => i.complete && i.naturalWidth > 0)",
        timeout=15000,
    )
    loaded = p.eval_on_selector_all(".file-grid img", "images => images.map(i => i.complete && i.naturalWidth)")
    assert len(loaded) == 2 and all(width > 0 for width in loaded), loaded
    page.shot("files")
    assert page.problems == [], page.problems
