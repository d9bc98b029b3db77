"""Reading an uploaded sheet: what it is (CSV in UTF-8 with or without BOM, UTF-16, or GBK/GB18030 as Excel in
China writes it, comma or tab separated; XLSX), refused at once when it is not what it says, then its rows one at
a time, never the whole sheet in memory (openpyxl's read-only mode for XLSX; the csv module over a decoding
stream for CSV). Every cell comes out as text, the way a person typed it.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, BinaryIO

from flask_babel import gettext as _

from saas.errors import ValidationFailed

MAX_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 200
SAMPLE = 64 * 1024
csv.field_size_limit(MAX_BYTES)  # one cell may be long (and is then refused as a row problem, not a crash)


@dataclass(frozen=True)
class SheetFormat:
    file_format: str  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"file": [message]})


def sniff(filename: str, content: bytes) -> SheetFormat:
    """What the file is, or ValidationFailed saying why it cannot be read (nothing is stored then)."""
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        raise refuse(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise refuse(_("The file is larger than 50 MB: split it into several files."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        return _check_xlsx(content)
    if extension in ("csv", "tsv", "txt"):
        return _check_csv(content)
    if extension == "xls":
        raise refuse(_("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV in Excel first."))
    raise refuse(_("Upload a CSV or Excel (.xlsx) file."))


def _check_xlsx(content: bytes) -> SheetFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise refuse(_("This file is not an Excel workbook (.xlsx), whatever its name says.")) from exc
    if "xl/workbook.xml" not in names:
        raise refuse(_("This file is not an Excel workbook (.xlsx), whatever its name says."))
    return SheetFormat("xlsx")


def _check_csv(content: bytes) -> SheetFormat:
    sample = content[:SAMPLE]
    if sample.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        raise refuse(_("This file is not a CSV text file, whatever its name says: save the sheet as CSV first."))
    if _looks_binary(sample):
        raise refuse(_("This file is not a CSV text file, whatever its name says: save the sheet as CSV first."))
    encoding = _encoding(sample)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=len(content) <= SAMPLE)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return SheetFormat("csv", encoding, delimiter)


_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r")


def _looks_binary(sample: bytes) -> bool:
    """Control bytes are one in twenty or more: a program's file, not text. (A stray NUL in a cell fails only its
    row, later.)"""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls * 20 > len(sample)


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    broken = {encoding: _broken_characters(sample, encoding) for encoding in ("utf-8", "gb18030")}
    encoding = min(broken, key=lambda e: broken[e])  # a clean decode (0) wins; UTF-8 first on a tie
    if broken[encoding] * 100 > len(sample):  # a few broken bytes fail their rows; many mean another encoding
        raise refuse(
            _("The file's text encoding is not one we read: save it as CSV UTF-8 in Excel, then upload again.")
        )
    return encoding


def _broken_characters(sample: bytes, encoding: str) -> int:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    return text.count("\ufffd")


Source = bytes | BinaryIO  # the upload, or a seekable file holding it (the job reads it from the database in chunks)


def _stream(content: Source) -> BinaryIO:
    return io.BytesIO(content) if isinstance(content, bytes) else content


def rows(sheet: SheetFormat, content: Source) -> Iterator[list[str]]:
    """Every row of the first sheet, the header first, as lists of text (trailing empty cells dropped)."""
    if sheet.file_format == "xlsx":
        yield from _xlsx_rows(content)
    else:
        yield from _csv_rows(sheet, content)


def _csv_rows(sheet: SheetFormat, content: Source) -> Iterator[list[str]]:
    stream = io.TextIOWrapper(_stream(content), encoding=sheet.encoding, errors="replace", newline="")
    try:
        for row in csv.reader(stream, delimiter=sheet.delimiter or ","):
            yield [cell.strip() for cell in row[:MAX_COLUMNS]]
    except csv.Error as exc:  # met when the upload counts the rows: the file is refused before anything runs
        raise refuse(_("This CSV file cannot be read (%(problem)s): save it again from Excel.", problem=exc)) from exc


def _xlsx_rows(content: Source) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(_stream(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign archive
        raise refuse(_("This file is not an Excel workbook (.xlsx), whatever its name says.")) from exc
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values[:MAX_COLUMNS]]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    """A cell as the person sees it: 13800138000 not 13800138000.0, a date as 2026-12-31."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def header_and_rows(sheet: SheetFormat, content: Source) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (the first row with anything in it) and the data rows after it, each with its row number as a
    spreadsheet shows it; rows with nothing in them are passed over."""
    stream = enumerate(rows(sheet, content), start=1)
    for _number, row in stream:
        if any(row):
            header = [cell.lstrip("\ufeff").strip() or _("Column %(n)d", n=i + 1) for i, cell in enumerate(row)]
            return header, ((n, r) for n, r in stream if any(r))
    raise refuse(_("The file has no header row: put the column names in its first row."))


def count_rows(sheet: SheetFormat, content: Source) -> int:
    """How many data rows the file holds (for the progress bar), reading it once, streamed."""
    _header, data = header_and_rows(sheet, content)
    return sum(1 for _row in data)


FORM_MAX_BYTES = MAX_BYTES + 64 * 1024  # the upload form: the file and the form's other fields
