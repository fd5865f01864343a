"""Running an import: every data row cleaned, matched against existing records, then created,
updated, skipped or refused with its reason.

Rows are handled in chunks, each written set-based through the core's bulk record services
(saas.modules.core.bulk): the cells cleaned, the references resolved with one query per column,
the duplicates found with one query per chunk, the chunk's new records validated by the schema
and inserted together, with their history and one records_created hook call.

Safe to retry (the design):
- A chunk's records, its refused rows, the run's counts and its checkpoint (`processed_rows`,
  the position of the last row handled) are committed in ONE transaction. A worker killed in
  the middle of a chunk loses that transaction entirely: no record of the chunk exists and the
  checkpoint still points before it.
- Running the job again (rq retry, the Resume button, the CLI) skips the rows up to the
  checkpoint and goes on: no row is written twice and none is lost.
- At the start of each chunk the run's row is re-read under a row lock (FOR UPDATE on
  PostgreSQL), so two workers given the same import cannot both handle the same chunk: the
  second waits, sees the moved checkpoint and skips what the first wrote.
- A row whose values do not validate is refused before anything of it is written; a chunk the
  database refuses (a value too long for its column, a clash) is written again one row at a time,
  each in a savepoint, so no record is half written and only the rows at fault are refused.
- A file that turns out unreadable halfway (a bad byte in another encoding, a broken quote)
  is found by the counting pass that reads the whole file before the first chunk, so nothing
  is written; were it to change under us later, the chunk being read is not begun.
- A dry run does the same work inside a savepoint per chunk that is always rolled back, so it
  reports exactly what a real run would do, row by row, and writes only its own report.

The file is read as a stream (csv.reader over the open file; openpyxl in read-only mode), one
chunk at a time: memory stays flat whatever the size of the file.
"""
from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from flask_babel import gettext as _
from sqlalchemy import select, update

from saas.errors import InputError
from saas.extensions import db
from saas.jobs import report_progress
from saas.metadata.definitions import field_map
from saas.modules.billing.limits import capacity
from saas.modules.core.bulk import create_records, update_records
from saas.modules.core.loading import RowLoader
from saas.modules.imports import files, reading, references
from saas.modules.imports.cleaning import CleanError, cleaner
from saas.modules.imports.exports import escape_cell
from saas.modules.imports.matching import Matcher
from saas.modules.imports.models import ImportFailure, ImportRun
from saas.modules.imports.settings import Cleaning, cleaning_for
from saas.tenants.context import current_tenant_id
from saas.tenants.models import Workspace, utcnow

log = logging.getLogger("saas.imports")

CHUNK_SIZE = 5000
Progress = Callable[[int, int], None]


def get_run(import_id: int) -> ImportRun | None:
    """The import of the workspace in context (another workspace's id: None)."""
    return db.session.scalar(select(ImportRun).where(ImportRun.id == import_id))


def file_path(run: ImportRun):
    return files.path_of("imports", run.stored_name)


# --- one row -----------------------------------------------------------------------------------

@dataclass(slots=True)
class _Item:
    """One data row of a chunk, from its cells to its outcome."""

    line: int
    cells: list[str]
    data: dict = field(default_factory=dict)          # cleaned values by field key
    problems: list = field(default_factory=list)      # (column index, message)
    key: Any = None                                   # what it matches duplicates on
    values: dict | None = None                        # loaded by the schema
    outcome: str | None = None                        # created, updated, skipped or failed
    reason: str | None = None
    record_id: int | None = None

    def fail(self, reason: str) -> None:
        self.outcome, self.reason = "failed", reason


class _Converter:
    """What a run needs to turn rows into records: its fields, a cleaner per mapped column, the
    schema's loaders and the duplicate matcher."""

    def __init__(self, run: ImportRun, settings: Cleaning) -> None:
        self.fields = field_map(run.object_key)
        self.columns = [(i, self.fields[key], cleaner(self.fields[key], settings))
                        for i, key in enumerate(run.mapping) if key and key in self.fields]
        self.references = [(i, f) for i, f, _clean in self.columns if f.kind == "reference"]
        self.width = len(run.headers)
        self.loader = RowLoader(run.object_key)
        self.partial_loader = RowLoader(run.object_key, partial=True)
        self.matcher = Matcher(run.object_key, self.fields[run.match_on]) if run.match_on else None
        # The plan's room for records, counted once per run: every chunk takes from it.
        self.room = capacity("records")

    def clean(self, item: _Item) -> None:
        """The row's cells cleaned into item.data; what cannot be cleaned into item.problems."""
        cells = item.cells
        if len(cells) > self.width:
            item.fail(_("This row has %(cells)s cells but the header names %(columns)s columns.",
                        cells=len(cells), columns=self.width))
            return
        width = len(cells)
        data, problems = item.data, item.problems
        for index, f, clean_cell in self.columns:
            try:
                data[f.key] = clean_cell(cells[index] if index < width else "")
            except CleanError as exc:
                problems.append((index, f"{f.label()}: {exc}"))

    def reason(self, exc: InputError) -> str:
        if not exc.fields:
            return exc.message
        return "; ".join(f"{self.fields[k].label() if k in self.fields else k}: {m}" for k, m in exc.fields.items())


# --- chunks ---------------------------------------------------------------------------------

def _handle_chunk(run: ImportRun, converter: _Converter, chunk: list[tuple[int, int, list[str]]]) -> None:
    items = [_Item(line, cells) for _position, line, cells in chunk]
    for item in items:
        converter.clean(item)
    outer = db.session.begin_nested() if run.dry_run else None
    _resolve_references(converter, [item for item in items if item.outcome is None])
    for item in items:
        if item.outcome is None and item.problems:
            item.fail("; ".join(message for _index, message in sorted(item.problems, key=lambda p: p[0])))
    _write(run, converter, [item for item in items if item.outcome is None])
    if outer is not None:
        outer.rollback()
    counts = Counter(item.outcome for item in items)
    for item in items:
        if item.outcome == "failed":
            db.session.add(ImportFailure(import_id=run.id, row_number=item.line, reason=item.reason,
                                         values=item.cells))
    run.created_count += counts["created"]
    run.updated_count += counts["updated"]
    run.skipped_count += counts["skipped"]
    run.failed_count += counts["failed"]
    run.processed_rows = chunk[-1][0]


def _resolve_references(converter: _Converter, items: list[_Item]) -> None:
    """Names in reference columns as record ids (or companies to create), one query per column."""
    for index, f in converter.references:
        texts = {item.data[f.key] for item in items if item.data.get(f.key) is not None}
        if not texts:
            continue
        found = references.resolve(f, texts)
        for item in items:
            text = item.data.get(f.key)
            if text is None:
                continue
            target = found[text]
            if isinstance(target, str):
                item.problems.append((index, f"{f.label()}: {target}"))
            else:
                item.data[f.key] = target


def _write(run: ImportRun, converter: _Converter, items: list[_Item]) -> None:
    """Each row created, used to update the record it duplicates, skipped, or refused, as the run's
    duplicate policy says; rows are matched against the workspace and against earlier rows of the
    file (each chunk's rows are matched with one query)."""
    matcher = converter.matcher
    existing: dict = {}
    if matcher is not None:
        for item in items:
            try:
                item.key = matcher.key(item.data.get(run.match_on))
            except InputError as exc:
                item.fail(converter.reason(exc))
        existing = matcher.existing({item.key for item in items if item.outcome is None})
    updates: list[tuple[_Item, int]] = []
    pending = []
    for item in items:
        if item.outcome is not None:
            continue
        if item.key is not None and item.key in existing and run.on_duplicate != "create":
            if run.on_duplicate == "skip":
                item.outcome = "skipped"
            else:
                updates.append((item, existing[item.key]))
        else:
            pending.append(item)
    # Rows that duplicate an earlier row of the chunk follow it: skipped, or updating the record it
    # created. When that row is refused after all, they are written as if it had not been there.
    while pending:
        creates, followers, claimed = [], [], {}
        for item in pending:
            if item.key is not None and run.on_duplicate != "create" and item.key in claimed:
                followers.append((item, claimed[item.key]))
                continue
            try:
                item.values = converter.loader.load(_with_placeholders(item.data))
            except InputError as exc:
                item.fail(converter.reason(exc))
                continue
            creates.append(item)
            if item.key is not None:
                claimed[item.key] = item
        _create(run, converter, creates)
        pending = []
        for item, first in followers:
            if first.record_id is None:
                pending.append(item)
            elif run.on_duplicate == "skip":
                item.outcome = "skipped"
            else:
                updates.append((item, first.record_id))
    _update(run, converter, sorted(updates, key=lambda pair: pair[0].line))


def _with_placeholders(data: dict) -> dict:
    # A company still to be created validates as any record id would.
    return {k: 1 if isinstance(v, references.NewRecord) else v for k, v in data.items()}


def _create_named_records(converter: _Converter, items: list[_Item]) -> None:
    """Create the companies the rows name that do not exist yet, and put their ids in the rows."""
    wanted = {v for item in items for v in item.values.values() if isinstance(v, references.NewRecord)}
    if not wanted:
        return
    made = references.create_new(wanted, converter.room)
    for item in items:
        for key, value in item.data.items():
            if isinstance(value, references.NewRecord):
                outcome = made[value]
                if isinstance(outcome, InputError):
                    item.fail(outcome.message)
                else:
                    item.values[key] = outcome


def _create(run: ImportRun, converter: _Converter, items: list[_Item]) -> None:
    for item in items:
        for key, value in item.data.items():
            if isinstance(value, references.NewRecord):
                item.values[key] = value
    _create_named_records(converter, items)
    items = [item for item in items if item.outcome is None]
    outcomes = create_records(run.object_key, [item.values for item in items], run.user_id, loaded=True,
                              room=converter.room)
    for item, outcome in zip(items, outcomes):
        if isinstance(outcome, InputError):
            item.fail(converter.reason(outcome))
        else:
            item.outcome, item.record_id = "created", outcome


def _update(run: ImportRun, converter: _Converter, updates: list[tuple[_Item, int]]) -> None:
    # Empty cells leave the record's values alone: an import fills in, it does not erase.
    ready: list[tuple[_Item, int]] = []
    for item, record_id in updates:
        data = {k: v for k, v in item.data.items() if v is not None}
        try:
            item.values = converter.partial_loader.load(_with_placeholders(data))
        except InputError as exc:
            item.fail(converter.reason(exc))
            continue
        for key, value in data.items():
            if isinstance(value, references.NewRecord):
                item.values[key] = value
        ready.append((item, record_id))
    _create_named_records(converter, [item for item, _record_id in ready])
    ready = [(item, record_id) for item, record_id in ready if item.outcome is None]
    if not ready:
        return
    outcomes = update_records(run.object_key, [(record_id, item.values) for item, record_id in ready],
                              run.user_id, loaded=True, room=converter.room)
    for (item, record_id), outcome in zip(ready, outcomes):
        if isinstance(outcome, InputError):
            item.fail(converter.reason(outcome))
        else:
            item.outcome, item.record_id = "updated", record_id


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
    done = run.processed_rows       # a resumed run skips what it wrote (each chunk re-checks under lock)
    for item in reading.numbered_data_rows(file_path(run), run.file_kind, run.encoding):
        if item[0] <= done:
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
    converter = _Converter(run, cleaning_for(workspace))
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
