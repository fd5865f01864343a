"""Isolation-walk factories for the imports module (see tests/isolation.py)."""
from __future__ import annotations

from saas.extensions import db
from saas.modules.core.models import Contact
from saas.modules.imports.models import ExportRun, ImportFailure, ImportRun
from tests.tenants.isolation_records import _state


def import_run(tenant):
    run = ImportRun(object_key="contact", filename="people.csv", stored_name="missing.csv", size=10,
                    file_kind="csv", encoding="utf-8", headers=["Name"], mapping=["name"], status="done",
                    on_duplicate="skip", dry_run=True, processed_rows=1, created_count=0, updated_count=0,
                    skipped_count=0, failed_count=1, total_rows=1)
    db.session.add(run)
    db.session.flush()
    db.session.add(ImportFailure(import_id=run.id, row_number=2, reason="bad", values=["x"]))
    db.session.commit()
    return run.id, _state(ImportRun, run.id)


def export_run(tenant):
    run = ExportRun(object_key="contact", file_format="csv", params={}, status="done", stored_name="missing.csv",
                    done_rows=0)
    db.session.add(run)
    db.session.commit()
    return run.id, _state(ExportRun, run.id)


def duplicate(tenant):
    row = Contact(name=f"Twin of {tenant.slug}", email="twin@example.com", custom={})
    db.session.add(row)
    db.session.commit()
    return row.id, _state(Contact, row.id)


RECORD_FACTORIES = {
    "import_id": import_run,
    "export_id": export_run,
    "duplicate_id": duplicate,
}
