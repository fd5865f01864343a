"""Exports of any list view (its filters, columns and sort) as CSV or XLSX.

Rows come from the one query builder, page by page (keyset paging), so memory stays flat.
Small exports stream straight to the browser; past EXPORT_INLINE_ROWS they run as a job that
writes the file under the workspace's folder, and the page offers it when ready.

Every text cell that starts with = + - @ (or a tab or carriage return) gets a leading single
quote: a spreadsheet would otherwise run it as a formula (CSV / formula injection).
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterator

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import Field
from saas.metadata.query import Filter, build_query, count, page
from saas.modules.core.records import reference_labels
from saas.modules.imports import files
from saas.modules.imports.models import ExportRun
from saas.tenants.models import utcnow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAGE = 500
FORMATS = ("csv", "xlsx")
MIME = {"csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def escape_cell(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def parse_filters(items: list) -> list[Filter]:
    """Filters from a saved view or a URL: dicts {"field", "op", "value"} or "field:op:value"."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            out.append(Filter(str(item.get("field", "")), str(item.get("op", "")), item.get("value")))
        elif isinstance(item, str) and item.count(":") >= 1:
            field, op, value = (item.split(":", 2) + [None])[:3]
            out.append(Filter(field, op, value))
        else:
            raise InputError({"filter": _("This filter is not understood.")}, status=400)
    return out


class Export:
    """One export's query and how its cells are written."""

    def __init__(self, object_key: str, columns: list[str] | None = None, filters: list | None = None,
                 sort: str | None = None) -> None:
        self.object_key = object_key
        self.query = build_query(object_key, parse_filters(filters or []), sort or None, columns or None)
        self.fields: list[Field] = list(self.query.selected)

    def header(self) -> list[str]:
        return [f.label() for f in self.fields]

    def count(self) -> int:
        return count(self.query)

    def rows(self) -> Iterator[list[Any]]:
        """Every row as cell values (labels for choices and references), page by page."""
        cursor = None
        while True:
            result = page(self.query, limit=PAGE, cursor=cursor)
            labels = {f.key: reference_labels(f.reference_object, [r.get(f.key) for r in result.rows])
                      for f in self.fields if f.kind == "reference"}
            for row in result.rows:
                yield [self._cell(f, row.get(f.key), labels) for f in self.fields]
            if not result.next_cursor:
                return
            cursor = result.next_cursor

    def _cell(self, f: Field, value: Any, labels: dict) -> Any:
        if value is None or value == []:
            return ""
        if f.kind == "reference":
            return escape_cell(labels[f.key].get(value, f"#{value}"))
        if f.type == "single_select":
            return escape_cell(f.option_label(value))
        if f.type == "multi_select":
            return escape_cell(", ".join(f.option_label(v) for v in value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, datetime):
            return value.isoformat(sep=" ", timespec="seconds")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, (int, float)):
            return value
        return escape_cell(str(value))


def csv_chunks(export: Export) -> Iterator[str]:
    """The export as CSV text in pieces (UTF-8 with a BOM, which Excel needs for Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([escape_cell(h) for h in export.header()])
    for n, row in enumerate(export.rows(), start=1):
        writer.writerow(row)
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def write_xlsx(export: Export, path, progress=None) -> int:
    """Write the export to an .xlsx file (openpyxl's write-only mode: rows are not kept)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=export.object_key[:31])
    sheet.append([escape_cell(h) for h in export.header()])
    n = 0
    for n, row in enumerate(export.rows(), start=1):
        sheet.append(row)
        if progress is not None and n % 1000 == 0:
            progress(n)
    workbook.save(path)
    return n


def write_csv(export: Export, path, progress=None) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        for piece in csv_chunks(export):
            out.write(piece)
            n += piece.count("\n")
            if progress is not None:
                progress(n)
    return max(0, n - 1)


def is_large(export: Export) -> bool:
    """Whether the export should run in the background (over EXPORT_INLINE_ROWS rows)."""
    return export.count() > int(current_app.config.get("EXPORT_INLINE_ROWS", 5000))


# --- background exports ------------------------------------------------------------------------

def get_export(export_id: int) -> ExportRun | None:
    """An export of the workspace in context (another workspace's id: None)."""
    return db.session.scalar(select(ExportRun).where(ExportRun.id == export_id))


def queue_export(object_key: str, file_format: str, params: dict, user_id: int | None,
                 locale: str | None) -> ExportRun:
    """A background export; its job starts when the caller commits."""
    from saas.jobs import enqueue

    run = ExportRun(object_key=object_key, file_format=file_format, params=params, status="queued",
                    user_id=user_id, locale=locale, done_rows=0)
    db.session.add(run)
    db.session.flush()
    enqueue(run_export, run.id, queue="default")
    return run


def run_export(export_id: int) -> None:
    """The job: write the export's file under the workspace's folder (idempotent: a finished one stays)."""
    from flask_babel import force_locale

    run = get_export(export_id)
    if run is None or run.status == "done":
        return
    run.status = "running"
    db.session.commit()
    name = files.new_name(f".{run.file_format}")
    path = files.path_of("exports", name)

    def progress(done: int) -> None:
        run.done_rows = done
        db.session.commit()

    try:
        with force_locale(run.locale or "en"):
            export = Export(run.object_key, run.params.get("columns"), run.params.get("filters"),
                            run.params.get("sort"))
            run.total_rows = export.count()
            db.session.commit()
            writer = write_xlsx if run.file_format == "xlsx" else write_csv
            done = writer(export, path, progress)
    except Exception as exc:
        db.session.rollback()
        path.unlink(missing_ok=True)
        run = get_export(export_id)
        run.status, run.message = "failed", str(getattr(exc, "message", exc))[:500]
        db.session.commit()
        raise
    files.remove("exports", run.stored_name)
    run.stored_name, run.done_rows, run.status, run.finished_at = name, done, "done", utcnow()
    db.session.commit()
