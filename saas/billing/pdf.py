"""A quote or an invoice as an A4 PDF, drawn with ReportLab from a QuoteDocument whose labels and amounts arrive
already translated and formatted.

Text is set in the CID font STSong-Light: the PDF names the font and the viewer supplies the glyphs, so the server
needs no CJK font file and the files stay small. That font lacks some Western characters (£, ², ·) and sets others full
width (¥, é), so those are set in Helvetica instead.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Callable
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import paragraph as rl_paragraph

from saas.billing.documents import QuoteDocument

log = logging.getLogger(__name__)

FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_PADDING = 6  # what SimpleDocTemplate's frame pads inside the page margins
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BAND_HEIGHT = 5 * mm
LOGO_MAX_WIDTH, LOGO_MAX_HEIGHT = 50 * mm, 18 * mm

DEFAULT_BRAND = colors.HexColor("#333333")
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#6b6b6b")
RULE = colors.HexColor("#d9d9d9")
STRIPE = colors.HexColor("#f6f6f6")

FALLBACK_LABELS = {
    "description": "Description",
    "quantity": "Qty",
    "unit": "Unit",
    "unit_price": "Unit price",
    "discount": "Discount",
    "total": "Total",
    "subtotal": "Subtotal",
    "discount_total": "Discount",
    "client": "Client",
    "issued_on": "Issued on",
    "valid_until": "Valid until",
    "notes": "Notes",
    "page": "Page",
    "tax": "Tax",
    "grand_total": "Total",
    "due_on": "Due on",
    "paid": "Paid",
    "balance": "Balance due",
    "how_to_pay": "How to pay",
}

# Line table columns: (label key = DocumentLine field, fixed width or None for the flexible one, right-aligned).
COLUMNS: tuple[tuple[str, float | None, bool], ...] = (
    ("description", None, False),
    ("quantity", 14 * mm, True),
    ("unit", 14 * mm, False),
    ("unit_price", 26 * mm, True),
    ("discount", 16 * mm, True),
    ("total", 28 * mm, True),
)

# Beyond ASCII, STSong-Light either lacks the Windows-1252 characters (£, ², ·, ö would show as nothing) or sets them
# full width (¥, €, é: "¥ 1,200.00"), so they go to Helvetica, which has them all; only the punctuation that Chinese
# text sets full width stays in STSong-Light.
_CJK_PUNCTUATION = frozenset("‘’“”—…")
_LATIN_ONLY = frozenset(bytes(range(0x80, 0x100)).decode("cp1252", errors="ignore")) - _CJK_PUNCTUATION
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


# ReportLab's list of characters that must not start a line is Japanese-oriented: without these, Chinese lines would
# begin with "，" or "；" (against GB/T 15834); the line breaker hangs them at the end of the previous line instead.
_CHINESE_CANNOT_START = "，；：！？）》〉”’％"


@functools.cache
def setup_reportlab() -> None:
    # Both are process-wide ReportLab state, so once per process is enough.
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    missing = "".join(char for char in _CHINESE_CANNOT_START if char not in textsplit.ALL_CANNOT_START)
    textsplit.ALL_CANNOT_START += missing  # used by wordSplit, for single-run paragraphs
    rl_paragraph.ALL_CANNOT_START += missing  # a copy imported by name, used for mixed-font paragraphs


def render_quote_pdf(doc: QuoteDocument) -> bytes:
    """The quote (or invoice) as PDF bytes (A4 portrait); the header row of the lines table repeats on every page."""
    setup_reportlab()
    # An empty translation is as useless as a missing one.
    labels = FALLBACK_LABELS | {key: value for key, value in doc.labels.items() if value}
    brand = brand_colour(doc.brand_color)
    buffer = BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        # Margins net of the frame's padding, so content and page furniture both start exactly at MARGIN.
        leftMargin=MARGIN - FRAME_PADDING,
        rightMargin=MARGIN - FRAME_PADDING,
        topMargin=MARGIN - FRAME_PADDING,
        bottomMargin=MARGIN - FRAME_PADDING,
        title=f"{doc.title} {doc.number}",
        author=doc.studio_name,
        lang=doc.locale.replace("_", "-"),
    )
    decorate = _page_decoration(doc, labels, brand)
    template.build(_story(doc, labels, brand), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _story(doc: QuoteDocument, labels: dict[str, str], brand: colors.Color) -> list[Flowable]:
    story: list[Flowable] = [
        _header(doc, brand),
        Spacer(1, 6 * mm),
        _parties(doc, labels),
        Spacer(1, 6 * mm),
        _lines_table(doc, labels, brand),
        Spacer(1, 4 * mm),
        KeepTogether(_totals(doc, labels, brand)),  # a total split from its subtotal reads as a different figure
    ]
    for caption, text in ((labels["notes"], doc.notes), (labels["how_to_pay"], doc.payment_instructions)):
        if text:
            story += [Spacer(1, 8 * mm), Paragraph(_markup(caption), STYLES["caption"])]
            story.append(Paragraph(_markup(text), STYLES["body"]))
    return story


def _header(doc: QuoteDocument, brand: colors.Color) -> Table:
    left: list[Flowable] = []
    logo = _logo(doc.logo_png)
    if logo:
        left += [logo, Spacer(1, 2 * mm)]
    left.append(_Bold(_markup(doc.studio_name), STYLES["studio"]))
    right = [_Bold(_markup(doc.title), STYLES["title"]), Paragraph(_markup(doc.number), STYLES["number"])]
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH * 0.55, CONTENT_WIDTH * 0.45])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
                ("LINEBELOW", (0, 0), (-1, -1), 1.5, brand),
            ]
        )
    )
    return table


def _parties(doc: QuoteDocument, labels: dict[str, str]) -> Table:
    client: list[Flowable] = [
        Paragraph(_markup(labels["client"]), STYLES["caption"]),
        _Bold(_markup(doc.client_name), STYLES["strong"]),
    ]
    if doc.client_contact:
        client.append(Paragraph(_markup(doc.client_contact), STYLES["body"]))
    dates = [(labels["issued_on"], doc.issued_on.isoformat())]
    if doc.valid_until:
        dates.append((labels["valid_until"], doc.valid_until.isoformat()))
    if doc.due_on:
        dates.append((labels["due_on"], doc.due_on.isoformat()))
    date_rows = [
        [Paragraph(_markup(k), STYLES["caption_right"]), Paragraph(_markup(v), STYLES["right"])] for k, v in dates
    ]
    date_table = Table(date_rows, colWidths=[35 * mm, 28 * mm], hAlign="RIGHT")
    date_table.setStyle(TableStyle([("RIGHTPADDING", (-1, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    table = Table([[client, date_table]], colWidths=[CONTENT_WIDTH * 0.55, CONTENT_WIDTH * 0.45])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _lines_table(doc: QuoteDocument, labels: dict[str, str], brand: colors.Color) -> Table:
    # A column of blanks only narrows the descriptions, so the discount column appears only when used.
    columns = [c for c in COLUMNS if c[0] not in ("discount", "unit") or any(getattr(line, c[0]) for line in doc.lines)]
    fixed = sum(width for _, width, _ in columns if width)
    widths = [width or CONTENT_WIDTH - fixed for _, width, _ in columns]
    heading_style = ParagraphStyle("heading", parent=STYLES["small"], textColor=_ink_on(brand))
    heading_right = ParagraphStyle("heading_right", parent=heading_style, alignment=TA_RIGHT)
    rows: list[list[Flowable]] = [
        [_Bold(_markup(labels[key]), heading_right if right else heading_style) for key, _, right in columns]
    ]
    for line in doc.lines:
        style = [STYLES["right"] if right else STYLES["body"] for _, _, right in columns]
        rows.append([Paragraph(_markup(getattr(line, key)), s) for (key, _, _), s in zip(columns, style, strict=True)])
    # Rows split across pages only when long (a pasted scope of work would not fit any page), never for a line or two.
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=45)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), brand),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _totals(doc: QuoteDocument, labels: dict[str, str], brand: colors.Color) -> Table:
    amounts = [
        (labels["subtotal"], doc.subtotal),
        (labels["discount_total"], doc.discount_total),
        (doc.tax_label or labels["tax"], doc.tax),
    ]
    rows: list[list[Flowable]] = [
        [Paragraph(_markup(label), STYLES["body"]), Paragraph(_markup(amount), STYLES["right"])]
        for label, amount in amounts
        if amount
    ]
    if doc.balance:  # an invoice: its amount, what was received, and what is left to pay as the figure that counts
        rows.append(
            [Paragraph(_markup(labels["grand_total"]), STYLES["body"]), Paragraph(_markup(doc.total), STYLES["right"])]
        )
        if doc.paid:
            rows.append(
                [Paragraph(_markup(labels["paid"]), STYLES["body"]), Paragraph(_markup(doc.paid), STYLES["right"])]
            )
        grand = (labels["balance"], doc.balance)
    else:
        grand = (labels["grand_total"], doc.total)
    rows.append([_Bold(_markup(grand[0]), STYLES["total"]), _Bold(_markup(grand[1]), STYLES["total_right"])])
    table = Table(rows, colWidths=[45 * mm, 40 * mm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("RIGHTPADDING", (-1, 0), (-1, -1), 6),
                ("LINEABOVE", (0, -1), (-1, -1), 1, brand),
                ("TOPPADDING", (0, -1), (-1, -1), 5),
            ]
        )
    )
    return table


def _page_decoration(
    doc: QuoteDocument, labels: dict[str, str], brand: colors.Color
) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Brand band on top and a footer with the quote number and page number, drawn on every page."""

    def decorate(canvas: Canvas, template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(brand)
        canvas.rect(0, PAGE_HEIGHT - BAND_HEIGHT, PAGE_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, MARGIN - 5 * mm, PAGE_WIDTH - MARGIN, MARGIN - 5 * mm)
        half = CONTENT_WIDTH / 2
        footer_left = _markup(f"{doc.studio_name} — {doc.title} {doc.number}")
        _draw_paragraph(canvas, footer_left, STYLES["footer"], MARGIN, MARGIN - 7 * mm, half)
        page = _markup(_page_caption(labels["page"], canvas.getPageNumber()))
        _draw_paragraph(canvas, page, STYLES["footer_right"], MARGIN + half, MARGIN - 7 * mm, half)
        canvas.restoreState()

    return decorate


def _draw_paragraph(canvas: Canvas, markup: str, style: ParagraphStyle, x: float, top: float, width: float) -> None:
    # A Paragraph rather than drawString, so that the Helvetica fallback applies to page furniture as well.
    paragraph = Paragraph(markup, style)
    _, height = paragraph.wrapOn(canvas, width, style.leading * 2)
    paragraph.drawOn(canvas, x, top - height)


def _page_caption(label: str, number: int) -> str:
    # A translation may place the number itself ("第 {n} 页"); otherwise the number follows the word ("Page 2").
    return label.replace("{n}", str(number)) if "{n}" in label else f"{label} {number}"


def _logo(data: bytes | None) -> Flowable | None:
    if not data:
        return None
    try:
        reader = ImageReader(BytesIO(data))
        width, height = reader.getSize()
        reader.getRGBData()  # decode now: a truncated file would otherwise only fail halfway through the build
    except Exception:  # whatever the upload is, a quote without its logo beats no quote
        log.warning("quote logo is not a readable image; rendering without it", exc_info=True)
        return None
    scale = min(LOGO_MAX_WIDTH / width, LOGO_MAX_HEIGHT / height)
    return _Logo(reader, width * scale, height * scale)


class _Logo(Flowable):
    """An image flowable over an already decoded ImageReader, which platypus.Image does not accept."""

    def __init__(self, reader: ImageReader, width: float, height: float) -> None:
        super().__init__()
        self.reader, self.width, self.height = reader, width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height, mask="auto")


class _Bold(Paragraph):
    """STSong-Light has no bold face, so emphasis strokes the glyph outlines as well as filling them."""

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setStrokeColor(self.style.textColor)
        self.canv.setLineWidth(self.style.fontSize / 30)
        self.canv.addLiteral("2 Tr")  # text render mode 2 = fill then stroke
        super().draw()
        self.canv.restoreState()


def _markup(text: str) -> str:
    """Paragraph markup for plain text: escaped, line breaks kept, glyphs STSong-Light lacks set in Helvetica."""
    parts = []
    for latin, run in itertools.groupby(text.replace("\r\n", "\n"), key=lambda char: char in _LATIN_ONLY):
        chunk = escape("".join(run)).replace("\n", "<br/>")
        parts.append(f'<font face="{LATIN_FONT}">{chunk}</font>' if latin else chunk)
    return "".join(parts)


def brand_colour(value: str) -> colors.Color:
    # The colour is studio input; an unparsable one must not cost the client their quote.
    return colors.HexColor(value.strip()) if _HEX_COLOUR.fullmatch(value.strip()) else DEFAULT_BRAND


def _ink_on(background: colors.Color) -> colors.Color:
    # Perceived luminance: white headings on dark brand colours, dark ones on light colours such as yellow.
    luminance = 0.299 * background.red + 0.587 * background.green + 0.114 * background.blue
    return colors.white if luminance < 0.6 else INK


def _styles() -> dict[str, ParagraphStyle]:
    # wordWrap="CJK" lets Chinese wrap between any two characters and keeps punctuation off the start of a line.
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12.5, textColor=INK, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11)
    caption = ParagraphStyle("caption", parent=small, textColor=MUTED)
    footer = ParagraphStyle("footer", parent=base, fontSize=7.5, leading=9, textColor=MUTED)
    total = ParagraphStyle("total", parent=base, fontSize=11, leading=15)
    return {
        "body": base,
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "small": small,
        "caption": caption,
        "caption_right": ParagraphStyle("caption_right", parent=caption, alignment=TA_RIGHT),
        "strong": ParagraphStyle("strong", parent=base, fontSize=11, leading=15),
        "studio": ParagraphStyle("studio", parent=base, fontSize=12, leading=16),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, alignment=TA_RIGHT),
        "number": ParagraphStyle("number", parent=base, textColor=MUTED, alignment=TA_RIGHT),
        "total": total,
        "total_right": ParagraphStyle("total_right", parent=total, alignment=TA_RIGHT),
        "footer": footer,
        "footer_right": ParagraphStyle("footer_right", parent=footer, alignment=TA_RIGHT),
    }


STYLES = _styles()
