"""The import and export runs of a workspace: their settings, state and progress, and the rows
an import refused (with the reason), so a reload or a retry finds everything where it was."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenants.isolation import TenantScoped, tenant_fk, tenant_table_args
from saas.tenants.models import utcnow

# An import's life: uploaded (draft) -> queued -> running -> done; failed when the file cannot be
# read; interrupted when the worker stopped in the middle (a retry resumes at the checkpoint).
IMPORT_STATUSES = ("draft", "queued", "running", "done", "failed", "interrupted")
DUPLICATE_POLICIES = ("skip", "update", "create")


class ImportRun(TenantScoped, db.Model):
    """One uploaded file and what became of it."""

    __tablename__ = "import_runs"
    __table_args__ = tenant_table_args(Index("ix_import_runs_tenant_created", "tenant_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    object_key: Mapped[str] = mapped_column(String(63))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))      # the file under the workspace's folder
    size: Mapped[int] = mapped_column(Integer, default=0)
    file_kind: Mapped[str] = mapped_column(String(8))          # csv | xlsx
    encoding: Mapped[str | None] = mapped_column(String(20))   # csv only: detected or chosen
    headers: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[list] = mapped_column(JSON, default=list)  # per column: a field key or None
    match_on: Mapped[str | None] = mapped_column(String(63))
    on_duplicate: Mapped[str] = mapped_column(String(10), default="skip")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    message: Mapped[str | None] = mapped_column(Text)
    total_rows: Mapped[int | None] = mapped_column(Integer)
    # The checkpoint: data rows whose outcome is committed, in the same transaction as the rows.
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == "done" else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))


class ImportFailure(TenantScoped, db.Model):
    """One row an import did not write, with why (the failed-rows CSV is made from these)."""

    __tablename__ = "import_failures"
    __table_args__ = tenant_table_args(
        tenant_fk("import_id", "import_runs", ondelete="CASCADE"),
        Index("ix_import_failures_tenant_import", "tenant_id", "import_id", "row_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(Integer)
    row_number: Mapped[int] = mapped_column(Integer)           # as a spreadsheet shows it (header = 1)
    reason: Mapped[str] = mapped_column(Text)
    values: Mapped[list] = mapped_column(JSON, default=list)


EXPORT_STATUSES = ("queued", "running", "done", "failed")


class ExportRun(TenantScoped, db.Model):
    """A large export written in the background; its file is served only to its workspace."""

    __tablename__ = "export_runs"
    __table_args__ = tenant_table_args(Index("ix_export_runs_tenant_created", "tenant_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    object_key: Mapped[str] = mapped_column(String(63))
    file_format: Mapped[str] = mapped_column(String(8))        # csv | xlsx
    params: Mapped[dict] = mapped_column(JSON, default=dict)   # columns, filters, sort
    status: Mapped[str] = mapped_column(String(12), default="queued")
    message: Mapped[str | None] = mapped_column(Text)
    total_rows: Mapped[int | None] = mapped_column(Integer)
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    stored_name: Mapped[str | None] = mapped_column(String(80))
    locale: Mapped[str | None] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == "done" else 0
        return min(100, int(self.done_rows * 100 / self.total_rows))
