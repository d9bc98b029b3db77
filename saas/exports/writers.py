"""CSV and XLSX from a sheet's batches of typed cells.

CSV is UTF-8 with a byte-order mark (Excel in China opens it as UTF-8 and shows Chinese, not mojibake), one chunk
per batch, so a response streams it as it is read. XLSX is written by openpyxl in write-only mode: rows go to a
temporary file as they come (memory stays flat), and the workbook is assembled when the last row is in.

Formula injection: a text cell starting with = + - @ (or a tab or carriage return, which some spreadsheets skip
before looking) would be run as a formula by the program that opens the file. Such text is written with a leading
apostrophe, so it reads as the text it was; numbers, money and dates are typed cells and are never touched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from saas.exports.lists import Column

BOM = "\ufeff"
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralised(text: str) -> str:
    return "'" + text if text.startswith(RISKY_START) else text


def _cells(columns: list[Column], row: Any) -> list[Any]:
    return [column.value(row) for column in columns]


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralised(str(value))


def csv_chunks(columns: list[Column], batches: Iterable[list[Any]], counter: list[int] | None = None) -> Iterator[str]:
    """The file as text chunks: the BOM and header first, then one chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralised(c.header) for c in columns])
    yield BOM + buffer.getvalue()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_text(v) for v in _cells(columns, row)] for row in batch)
        if counter is not None:
            counter[0] += len(batch)
        yield buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return neutralised(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def write_xlsx(columns: list[Column], batches: Iterable[list[Any]], path: Path, title: str) -> int:
    """Write the workbook to `path`; returns how many rows it holds."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_value(c.header) for c in columns])
    rows = 0
    for batch in batches:
        for row in batch:
            sheet.append([_xlsx_value(v) for v in _cells(columns, row)])
        rows += len(batch)
    book.save(path)
    return rows


def write_csv(columns: list[Column], batches: Iterable[list[Any]], path: Path) -> int:
    counter = [0]
    with path.open("w", encoding="utf-8", newline="") as out:
        for chunk in csv_chunks(columns, batches, counter):
            out.write(chunk)
    return counter[0]
