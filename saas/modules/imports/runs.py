"""Starting imports: the upload, the preview, the mapping and the job that runs it."""
from __future__ import annotations

from typing import IO

from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.jobs import enqueue
from saas.metadata.objects import object_type
from saas.modules.imports import files, mapping, reading
from saas.modules.imports.models import DUPLICATE_POLICIES, ImportRun
from saas.modules.imports.settings import max_bytes
from saas.tenants.context import current_tenant_id

IMPORTABLE_OBJECTS = ("contact", "company", "order", "activity")


def importable_objects() -> list:
    """The object types a file can be imported into."""
    return [spec for key in IMPORTABLE_OBJECTS if (spec := object_type(key)) is not None]


def object_key_of(name: str) -> str:
    """An object key from its key or plural endpoint name ("contacts" -> "contact")."""
    for spec in importable_objects():
        if name in (spec.key, spec.endpoint):
            return spec.key
    raise InputError({"object": _("Choose what to import: contacts, companies, orders or activities.")})


def upload(stream: IO[bytes], filename: str, object_key: str, user_id: int | None,
           encoding: str | None = None) -> ImportRun:
    """Keep an uploaded file and read its header; refuses empty, unreadable or too large files."""
    object_key = object_key_of(object_key)
    kind = reading.kind_of(filename)
    if encoding and encoding not in reading.ENCODINGS:
        raise InputError({"encoding": _("Choose an encoding from the list.")})
    stored, size = files.save_upload(stream, "imports", ".xlsx" if kind == "xlsx" else ".csv", max_bytes())
    path = files.path_of("imports", stored)
    try:
        if size == 0:
            raise reading.FileProblem(_("The file is empty."), code="empty")
        if kind == "csv" and not encoding:
            encoding = reading.detect_encoding(path)
        headers, _preview = reading.header_and_preview(path, kind, encoding)
    except InputError:
        files.remove("imports", stored)
        raise
    run = ImportRun(object_key=object_key, filename=(filename or "upload")[-255:], stored_name=stored, size=size,
                    file_kind=kind, encoding=encoding if kind == "csv" else None, headers=headers,
                    mapping=mapping.suggest(object_key, headers), user_id=user_id, status="draft",
                    on_duplicate="skip", dry_run=False, processed_rows=0, created_count=0, updated_count=0,
                    skipped_count=0, failed_count=0)
    if "email" in run.mapping:
        run.match_on = "email"
    elif "phone" in run.mapping:
        run.match_on = "phone"
    db.session.add(run)
    db.session.flush()
    return run


def preview(run: ImportRun, limit: int = 10) -> list[list[str]]:
    """The first rows of the file as read with the run's encoding."""
    _headers, rows = reading.header_and_preview(files.path_of("imports", run.stored_name), run.file_kind,
                                                run.encoding, limit)
    return rows


def change_encoding(run: ImportRun, encoding: str) -> None:
    """Read the file again in another encoding (the user's override); the header may change."""
    if run.status != "draft":
        raise InputError({"encoding": _("This import has started already.")}, status=409)
    if run.file_kind != "csv" or encoding not in reading.ENCODINGS:
        raise InputError({"encoding": _("Choose an encoding from the list.")})
    headers, _rows = reading.header_and_preview(files.path_of("imports", run.stored_name), "csv", encoding)
    run.encoding, run.headers = encoding, headers
    run.mapping = mapping.suggest(run.object_key, headers)
    db.session.flush()


def configure(run: ImportRun, column_fields: list, match_on: str | None, on_duplicate: str,
              dry_run: bool) -> ImportRun:
    """Set the mapping and the duplicate policy (checked) on a draft import."""
    if run.status != "draft":
        raise InputError(message=_("This import has started already."), code="started", status=409)
    if on_duplicate not in DUPLICATE_POLICIES:
        raise InputError({"on_duplicate": _("Choose what a duplicate does.")})
    run.mapping = mapping.check(run.object_key, run.headers, column_fields, match_on or None, on_duplicate)
    run.match_on, run.on_duplicate, run.dry_run = match_on or None, on_duplicate, bool(dry_run)
    db.session.flush()
    return run


def start(run: ImportRun) -> None:
    """Queue the import's job; it starts when the caller commits (see saas.jobs.enqueue)."""
    from saas.modules.imports.importer import run_import

    if run.status not in ("draft", "interrupted"):
        raise InputError(message=_("This import has started already."), code="started", status=409)
    run.status = "queued" if run.status == "draft" else "interrupted"
    db.session.flush()
    enqueue(run_import, run.id, queue="imports", job_id=f"import-{current_tenant_id()}-{run.id}-{run.processed_rows}")


def again_as_real(run: ImportRun, user_id: int | None) -> ImportRun:
    """A new draft with the same file and mapping as a finished dry run, to run it for real."""
    copy = ImportRun(object_key=run.object_key, filename=run.filename, stored_name=run.stored_name, size=run.size,
                     file_kind=run.file_kind, encoding=run.encoding, headers=list(run.headers),
                     mapping=list(run.mapping), match_on=run.match_on, on_duplicate=run.on_duplicate,
                     dry_run=False, status="draft", user_id=user_id, processed_rows=0, created_count=0,
                     updated_count=0, skipped_count=0, failed_count=0)
    db.session.add(copy)
    db.session.flush()
    return copy


def recent(limit: int = 20) -> list[ImportRun]:
    """The workspace's latest imports."""
    return list(db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))
