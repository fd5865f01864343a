"""Reading CSV and XLSX files as rows of text, streaming (a million rows never sit in memory).

CSV encodings: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK, which is what
Chinese Excel writes); Big5 and Latin-1 only when the user chooses them. A simple cascade rather
than statistical detection: valid UTF-8 is almost never GBK text by accident, and the user can
override the choice after seeing the preview.
"""
from __future__ import annotations

import codecs
import csv
from datetime import date, datetime, time
from pathlib import Path
from typing import Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.errors import InputError

ENCODINGS = {
    "utf-8": _l("UTF-8"),
    "gb18030": _l("Chinese, simplified (GBK / GB18030)"),
    "big5": _l("Chinese, traditional (Big5)"),
    "latin-1": _l("Western European (Latin-1)"),
}
DETECTION_CASCADE = ("utf-8", "gb18030")
SNIFF_BYTES = 256 * 1024
KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}
# A field this long in a CSV is a broken file (an unclosed quote), not data.
csv.field_size_limit(1024 * 1024)


class FileProblem(InputError):
    """The file cannot be read as it is (empty, wrong encoding, not a spreadsheet ...)."""

    def __init__(self, message: str, code: str = "bad_file") -> None:
        super().__init__({"file": message}, message=message, code=code)


def kind_of(filename: str) -> str:
    """"csv" or "xlsx" from the file name; anything else is refused."""
    kind = KINDS.get(Path(filename or "").suffix.lower())
    if kind is None:
        raise FileProblem(_("Upload a .csv or .xlsx file."), code="bad_type")
    return kind


def detect_encoding(path: Path) -> str:
    """The first encoding of the cascade that decodes the start of the file."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head.strip():
        raise FileProblem(_("The file is empty."), code="empty")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    for encoding in DETECTION_CASCADE:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=False)  # a character cut at the end of the sample is fine
        except UnicodeDecodeError:
            continue
        return encoding
    return "gb18030"


def _python_encoding(encoding: str) -> str:
    # utf-8-sig drops a BOM when there is one and reads plain UTF-8 otherwise.
    return "utf-8-sig" if encoding == "utf-8" else encoding


def _csv_rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with open(path, encoding=_python_encoding(encoding), newline="", errors="strict") as f:
        try:
            first_line = f.readline()
            f.seek(0)
            # The header tells the separator: Excel in some locales writes ; and some tools tabs.
            delimiter = max(",;\t", key=first_line.count) if any(c in first_line for c in ",;\t") else ","
            for row in csv.reader(f, delimiter=delimiter):
                yield row
        except UnicodeDecodeError:
            raise FileProblem(_("The file is not valid %(encoding)s text; choose its encoding.",
                                encoding=ENCODINGS.get(encoding, encoding)), code="bad_encoding") from None
        except csv.Error as exc:
            raise FileProblem(_("The file is not a well-formed CSV file (%(error)s).", error=str(exc))) from None


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person would type (dates as ISO, 12.0 as 12)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileProblem(_("This is not an Excel .xlsx file, or it is damaged.")) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(v) for v in row]
    finally:
        workbook.close()


def rows(path: Path, kind: str, encoding: str | None) -> Iterator[tuple[int, list[str]]]:
    """(line, row) of every non-blank row, the header first; `line` is the row number a
    spreadsheet shows (1 for the first row), kept so refused rows can be found in the file."""
    source = _xlsx_rows(path) if kind == "xlsx" else _csv_rows(path, encoding or detect_encoding(path))
    for line, row in enumerate(source, start=1):
        # Trailing empty cells are how spreadsheets pad a row; they are not data.
        while row and not str(row[-1]).strip():
            row = row[:-1]
        if row:
            yield line, row


def numbered_data_rows(path: Path, kind: str, encoding: str | None) -> Iterator[tuple[int, int, list[str]]]:
    """(position, line, row) of each data row after the header; position 1 is the first data row."""
    source = rows(path, kind, encoding)
    next(source, None)
    for position, (line, row) in enumerate(source, start=1):
        yield position, line, row


def header_and_preview(path: Path, kind: str, encoding: str | None, limit: int = 10) -> tuple[list[str], list[list[str]]]:
    """The header (cleaned of blanks and BOMs) and the first `limit` data rows; refuses bad files."""
    source = rows(path, kind, encoding)
    first = next(source, None)
    if not first:
        raise FileProblem(_("The file is empty."), code="empty")
    header = [h.strip().lstrip("\ufeff") for h in first[1]]
    if not any(header):
        raise FileProblem(_("The first row must name the columns."), code="no_header")
    preview = []
    for _line, row in source:
        preview.append(row)
        if len(preview) >= limit:
            break
    if not preview:
        raise FileProblem(_("The file has a header but no rows."), code="no_rows")
    return header, preview


def count_data_rows(path: Path, kind: str, encoding: str | None) -> int:
    """How many data rows the file has (one streaming pass)."""
    return sum(1 for _ in numbered_data_rows(path, kind, encoding))
