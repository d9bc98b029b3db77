"""The quote PDF: a real, multi-page PDF whose text carries the Chinese names and amounts, logo or no logo.

pypdf is not a dependency, so the text is read back with a minimal decoder that knows exactly what ReportLab writes:
ASCII85 + Flate page streams, and STSong-Light strings as UTF-16BE (the UniGB-UCS2-H encoding)."""

from __future__ import annotations

import base64
import dataclasses
import re
import zlib
from datetime import date
from io import BytesIO

from PIL import Image

from saas.billing.documents import DocumentLine, QuoteDocument
from saas.billing.pdf import render_quote_pdf

CLIENT = "杭州青禾文化传媒有限公司"
TOTAL = "¥76,320.00"
DESCRIPTION = "品牌视觉识别系统升级，包括标志、色彩与字体规范，以及办公用品与展陈物料的延展设计"
LABELS = {
    "description": "项目描述",
    "quantity": "数量",
    "unit": "单位",
    "unit_price": "单价",
    "discount": "折扣",
    "total": "合计",
    "subtotal": "小计",
    "discount_total": "折扣合计",
    "client": "客户",
    "issued_on": "开具日期",
    "valid_until": "有效期至",
    "notes": "备注",
    "page": "第 {n} 页",
}


def make_quote(lines: int = 60, logo_png: bytes | None = None) -> QuoteDocument:
    return QuoteDocument(
        locale="zh_CN",
        studio_name="墨白设计工作室",
        brand_color="#2f6f5e",
        logo_png=logo_png,
        title="报价单",
        number="Q-2026-0042 · v2",
        client_name=CLIENT,
        client_contact="王晓梅 · 138 0000 0000\n杭州市西湖区文三路 90 号",
        issued_on=date(2026, 3, 2),
        valid_until=date(2026, 4, 1),
        lines=[
            DocumentLine(
                description=f"第 {n} 项：{DESCRIPTION}",
                quantity="3",
                unit="m²" if n % 2 else "项",
                unit_price="¥1,200.00",
                discount="10%" if n % 5 == 0 else "",
                total="¥3,240.00" if n % 5 == 0 else "¥3,600.00",
            )
            for n in range(1, lines + 1)
        ],
        subtotal="¥72,000.00",
        discount_total="-¥0.00",
        tax_label="税 6%",
        tax="¥4,320.00",
        total=TOTAL,
        notes="报价有效期 30 天。首付 50%，交付后结清余款。<不含印刷费用> & 差旅费用另计。",
        labels=LABELS,
    )


def pdf_text(pdf: bytes) -> str:
    """All text shown on all pages, in content order."""
    return "".join(text for _, text in pdf_runs(pdf))


def pdf_runs(pdf: bytes) -> list[tuple[str, str]]:
    """(font, text) for every Tj string shown, in content order; font is the BaseFont name."""
    objects = pdf.split(b"endobj")
    fonts = {}  # resource name (/F2) -> BaseFont; a CID font's resource name follows its descendant font array
    for obj in objects:
        if b"/Type /Font" in obj and b"/FontDescriptor" not in obj.rsplit(b"]", 1)[-1]:
            name = re.search(rb"/Name /(\w+)", obj.rsplit(b"]", 1)[-1])
            if name:
                fonts[name.group(1)] = re.search(rb"/BaseFont /([\w-]+)", obj).group(1).decode()
    runs = []
    for content in _page_streams(objects):
        font = ""
        for token in re.finditer(rb"/(\w+) [\d.]+ Tf|\(((?:[^\\()]|\\.)*)\)\s*Tj", content, re.S):
            if token.group(1):
                font = fonts[token.group(1)]
                continue
            raw = _unescape(token.group(2))
            # ReportLab writes STSong-Light strings in UTF-16BE (UniGB-UCS2-H) and Helvetica ones in WinAnsi.
            runs.append((font, raw.decode("utf-16-be" if font == "STSong-Light" else "cp1252")))
    return runs


def _page_streams(objects: list[bytes]) -> list[bytes]:
    streams = []
    for obj in objects:
        head, found, body = obj.partition(b"stream")
        if not found or b"/Subtype /Image" in head:
            continue
        data = body.lstrip(b"\r\n").rsplit(b"endstream", 1)[0].strip()
        if b"/ASCII85Decode" in head:
            data = base64.a85decode(data.removesuffix(b"~>"))
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        streams.append(data)
    return streams


def _unescape(literal: bytes) -> bytes:
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return escapes.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_renders_a_multi_page_pdf_with_the_chinese_text():
    pdf = render_quote_pdf(make_quote())

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) >= 2
    assert b"/BaseFont /STSong-Light" in pdf
    text = pdf_text(pdf)
    assert CLIENT in text
    assert TOTAL in text
    assert "第 2 页" in text
    assert "<不含印刷费用> & 差旅费用另计" in text  # markup characters in notes are text, not tags


def test_header_row_repeats_on_every_page():
    pdf = render_quote_pdf(make_quote())

    assert pdf_text(pdf).count("项目描述") == page_count(pdf) >= 2


def test_western_symbols_are_set_in_helvetica():
    # STSong-Light has no "²" or "·" (they would show as nothing) and sets "¥" full width ("¥ 1,200.00").
    runs = pdf_runs(render_quote_pdf(make_quote(lines=3)))

    for symbol in "²·¥":
        assert {font for font, text in runs if symbol in text} == {"Helvetica"}, symbol
    assert {font for font, text in runs if CLIENT in text} == {"STSong-Light"}


def test_chinese_punctuation_never_starts_a_line():
    # Slide the comma along the line so that, somewhere, it falls exactly where a line would break.
    lines = [
        DocumentLine("品牌" + "设" * k + "，以及办公用品与展陈物料的延展设计", "1", "项", "¥1.00", "", "¥1.00")
        for k in range(30)
    ]

    runs = pdf_runs(render_quote_pdf(dataclasses.replace(make_quote(), lines=lines)))

    assert [text for _, text in runs if text.startswith(("，", "、", "。"))] == []


def test_bogus_logo_still_renders():
    pdf = render_quote_pdf(make_quote(lines=3, logo_png=b"not an image"))

    assert pdf.startswith(b"%PDF-")
    assert CLIENT in pdf_text(pdf)
    assert b"/Subtype /Image" not in pdf


def test_real_logo_is_embedded():
    buffer = BytesIO()
    Image.new("RGBA", (120, 40), (47, 111, 94, 255)).save(buffer, format="PNG")

    pdf = render_quote_pdf(make_quote(lines=3, logo_png=buffer.getvalue()))

    assert b"/Subtype /Image" in pdf


def test_missing_labels_fall_back_to_english():
    english = dataclasses.replace(make_quote(lines=2), labels={}, locale="en", brand_color="not a colour")

    text = pdf_text(render_quote_pdf(english))

    assert "Description" in text
    assert "Page 1" in text
