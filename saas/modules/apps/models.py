"""Per-workspace state of each plugin: enabled or not, and its settings."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenants.isolation import TenantScoped, tenant_table_args


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class WorkspacePlugin(TenantScoped, db.Model):
    """A plugin a workspace has enabled at least once (no row: the manifest's default applies).

    Disabling keeps the row, the settings and the plugin's own data, so re-enabling brings
    everything back."""

    __tablename__ = "workspace_plugins"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "plugin"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(63))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
