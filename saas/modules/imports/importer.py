"""Running an import: every data row cleaned, matched against existing records, then created,
updated, skipped or refused with its reason.

Safe to retry (the design):
- Rows are handled in chunks. A chunk's records, its refused rows, the run's counts and its
  checkpoint (`processed_rows`, the position of the last row handled) are committed in ONE
  transaction. A worker killed in the middle of a chunk loses that transaction entirely: no
  record of the chunk exists and the checkpoint still points before it.
- Running the job again (rq retry, the Resume button, the CLI) skips the rows up to the
  checkpoint and goes on: no row is written twice and none is lost.
- At the start of each chunk the run's row is re-read under a row lock (FOR UPDATE on
  PostgreSQL), so two workers given the same import cannot both handle the same chunk: the
  second waits, sees the moved checkpoint and skips what the first wrote.
- Each row is written inside a savepoint: a row whose values do not validate (or that the
  database refuses) rolls back alone, so no record is half written; the rest of the chunk stays.
- A file that turns out unreadable halfway (a bad byte in another encoding, a broken quote)
  is found by the counting pass that reads the whole file before the first chunk, so nothing
  is written; were it to change under us later, the chunk being read is not begun.
- A dry run does the same work inside a savepoint per chunk that is always rolled back, so it
  reports exactly what a real run would do, row by row, and writes only its own report.
"""
from __future__ import annotations

import csv
import io
import logging
from typing import Any, Callable, Iterator

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from saas.errors import InputError
from saas.extensions import db
from saas.jobs import report_progress
from saas.metadata.definitions import Field, field_map
from saas.metadata.objects import object_type
from saas.metadata.query import field_expression
from saas.metadata.schemas import load_values
from saas.modules.core.records import create_record, update_record
from saas.modules.imports import files, reading
from saas.modules.imports.cleaning import CleanError, clean
from saas.modules.imports.exports import escape_cell
from saas.modules.imports.models import ImportFailure, ImportRun
from saas.modules.imports.settings import Cleaning, cleaning_for
from saas.tenants.context import current_tenant_id
from saas.tenants.models import Membership, User, Workspace, utcnow

log = logging.getLogger("saas.imports")

CHUNK_SIZE = 500
Progress = Callable[[int, int], None]


class RowRefused(Exception):
    """A row that is not written; the message is the reason shown to the user."""


def get_run(import_id: int) -> ImportRun | None:
    """The import of the workspace in context (another workspace's id: None)."""
    return db.session.scalar(select(ImportRun).where(ImportRun.id == import_id))


def file_path(run: ImportRun):
    return files.path_of("imports", run.stored_name)


# --- one row -----------------------------------------------------------------------------------

class _Row:
    """Turns the cells of one row into record values for the run's mapping."""

    def __init__(self, run: ImportRun, settings: Cleaning) -> None:
        self.run = run
        self.settings = settings
        self.fields = field_map(run.object_key)
        self.columns = [(i, self.fields[key]) for i, key in enumerate(run.mapping) if key and key in self.fields]
        self.width = len(run.headers)

    def values(self, cells: list[str]) -> dict[str, Any]:
        if len(cells) > self.width:
            raise RowRefused(_("This row has %(cells)s cells but the header names %(columns)s columns.",
                               cells=len(cells), columns=self.width))
        data: dict[str, Any] = {}
        problems: list[str] = []
        for index, f in self.columns:
            try:
                value = clean(f, cells[index] if index < len(cells) else "", self.settings)
                if value is not None and f.kind == "reference":
                    value = _resolve_reference(f, value)
            except CleanError as exc:
                problems.append(f"{f.label()}: {exc}")
                continue
            data[f.key] = value
        if problems:
            raise RowRefused("; ".join(problems))
        return data


def _resolve_reference(f: Field, text: str) -> int:
    """A referenced record's id from its name (or #id); members by e-mail or name. Companies
    that do not exist yet are created with the row, so a contact list brings its companies."""
    if f.reference_object == "user":
        user_id = db.session.scalar(
            select(User.id).join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == current_tenant_id(),
                   (func.lower(User.email) == text.lower()) | (User.name == text)).limit(1))
        if user_id is None:
            raise CleanError(_("“%(value)s” is not a member of this workspace.", value=text))
        return user_id
    spec = object_type(f.reference_object or "")
    if spec is None:
        raise CleanError(_("There is no such record."))
    if text.startswith("#") and text[1:].isdigit():
        found = db.session.scalar(select(spec.model.id).where(spec.model.id == int(text[1:])))
    else:
        title = getattr(spec.model, spec.title_field)
        found = db.session.scalar(select(spec.model.id).where(title == text).order_by(spec.model.id).limit(1))
    if found is None and spec.key == "company":
        found = create_record("company", {spec.title_field: text}).id
    if found is None:
        raise CleanError(_("“%(value)s”: there is no such record.", value=text))
    return found


def _reason(exc: InputError, fields: dict[str, Field]) -> str:
    if not exc.fields:
        return exc.message
    return "; ".join(f"{fields[k].label() if k in fields else k}: {m}" for k, m in exc.fields.items())


def find_duplicate(object_key: str, match_on: str, value: Any):
    """The oldest record whose `match_on` field equals `value` (e-mails without regard to case)."""
    spec = object_type(object_key)
    f = field_map(object_key)[match_on]
    expr = field_expression(spec.model, f)
    if f.type == "email":
        condition = func.lower(expr) == str(value).lower()
    elif f.column is None:
        loaded = load_values(object_key, {match_on: value}, partial=True)[match_on]
        from saas.metadata.types import to_storage

        stored = to_storage(f.type, loaded)
        condition = expr == (stored if f.kind != "number" else float(stored))
    else:
        condition = expr == value
    return db.session.scalar(select(spec.model).where(condition).order_by(spec.model.id).limit(1))


def _write(run: ImportRun, data: dict[str, Any]) -> str:
    """Create or update one record from `data`: "created", "updated" or "skipped"."""
    match_value = data.get(run.match_on) if run.match_on else None
    existing = find_duplicate(run.object_key, run.match_on, match_value) if match_value not in (None, "") else None
    if existing is not None and run.on_duplicate == "skip":
        return "skipped"
    if existing is not None and run.on_duplicate == "update":
        # Empty cells leave the record's values alone: an import fills in, it does not erase.
        update_record(run.object_key, existing, {k: v for k, v in data.items() if v is not None}, run.user_id)
        return "updated"
    create_record(run.object_key, data, run.user_id)
    return "created"


# --- chunks ---------------------------------------------------------------------------------

def _handle_chunk(run: ImportRun, converter: _Row, chunk: list[tuple[int, int, list[str]]]) -> None:
    counts = {"created": 0, "updated": 0, "skipped": 0}
    failures: list[ImportFailure] = []
    outer = db.session.begin_nested() if run.dry_run else None
    for _position, line, cells in chunk:
        try:
            with db.session.begin_nested():
                outcome = _write(run, converter.values(cells))
        except RowRefused as exc:
            failures.append(ImportFailure(import_id=run.id, row_number=line, reason=str(exc), values=cells))
        except InputError as exc:
            failures.append(ImportFailure(import_id=run.id, row_number=line, values=cells,
                                          reason=_reason(exc, converter.fields)))
        except IntegrityError:
            failures.append(ImportFailure(import_id=run.id, row_number=line, values=cells,
                                          reason=_("The database refused this row (a value clashes with another record).")))
        else:
            counts[outcome] += 1
    if outer is not None:
        outer.rollback()
    for failure in failures:
        db.session.add(failure)
    run.created_count += counts["created"]
    run.updated_count += counts["updated"]
    run.skipped_count += counts["skipped"]
    run.failed_count += len(failures)
    run.processed_rows = chunk[-1][0]


def _lock(run: ImportRun) -> ImportRun:
    """Open the chunk's transaction with a write to the run's row, then re-read it.

    The UPDATE takes the row lock on PostgreSQL (a second worker waits here, then sees the
    moved checkpoint). On SQLite it makes the driver open the transaction (pysqlite begins
    one only before a write): a SAVEPOINT outside a transaction would commit on release."""
    db.session.execute(update(ImportRun).where(ImportRun.id == run.id).values(status="running"))
    return db.session.scalars(select(ImportRun).where(ImportRun.id == run.id)
                              .execution_options(populate_existing=True)).one()


def _chunks(run: ImportRun) -> Iterator[list[tuple[int, int, list[str]]]]:
    chunk: list = []
    for item in reading.numbered_data_rows(file_path(run), run.file_kind, run.encoding):
        if item[0] <= run.processed_rows:
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_import(import_id: int, progress: Progress | None = None) -> ImportRun | None:
    """Run (or resume) an import of the workspace in context; see the module docstring."""
    run = get_run(import_id)
    if run is None or run.status not in ("queued", "running", "interrupted"):
        return run  # finished, or never started: running it again changes nothing
    workspace = db.session.get(Workspace, current_tenant_id())
    converter = _Row(run, cleaning_for(workspace))
    try:
        if run.total_rows is None:
            run.total_rows = reading.count_data_rows(file_path(run), run.file_kind, run.encoding)
        run.status, run.message = "running", None
        run.started_at = run.started_at or utcnow()
        db.session.commit()
        for chunk in _chunks(run):
            run = _lock(run)
            chunk = [item for item in chunk if item[0] > run.processed_rows]
            if chunk:
                _handle_chunk(run, converter, chunk)
            db.session.commit()
            report_progress(run.processed_rows, run.total_rows or 0)
            if progress is not None:
                progress(run.processed_rows, run.total_rows or 0)
        run.status, run.finished_at = "done", utcnow()
        db.session.commit()
    except reading.FileProblem as exc:
        db.session.rollback()
        run = get_run(import_id)
        run.status, run.message, run.finished_at = "failed", exc.message, utcnow()
        db.session.commit()
    except BaseException as exc:
        # Anything else (a lost database, a stop): the last chunk is rolled back, the checkpoint
        # holds, and the import can be resumed.
        db.session.rollback()
        log.exception("import %s interrupted", import_id)
        try:
            run = get_run(import_id)
            run.status, run.message = "interrupted", f"{type(exc).__name__}: {exc}"[:500]
            db.session.commit()
        except Exception:
            db.session.rollback()
        raise
    log.info("import %s: %s created, %s updated, %s skipped, %s failed", run.id, run.created_count,
             run.updated_count, run.skipped_count, run.failed_count)
    return run


# --- the report of refused rows ---------------------------------------------------------------

def failures(run: ImportRun, limit: int | None = None) -> list[ImportFailure]:
    """The refused rows of an import, in file order."""
    statement = select(ImportFailure).where(ImportFailure.import_id == run.id).order_by(ImportFailure.row_number,
                                                                                        ImportFailure.id)
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))


def failures_csv(run: ImportRun) -> Iterator[str]:
    """The refused rows as CSV (UTF-8 with a BOM, for Excel): the row number, the reason, then
    the row as it was in the file, so it can be fixed and imported again."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow([_("Row"), _("Reason"), *[escape_cell(h) for h in run.headers]])
    for failure in failures(run):
        writer.writerow([failure.row_number, escape_cell(failure.reason), *[escape_cell(v) for v in failure.values]])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    yield buffer.getvalue()
