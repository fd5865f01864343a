"""The analytics module's tables: report widgets (a query and a chart, as data), dashboards and
the tiles that place widgets on them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.plugin_api import TenantScoped, db, tenant_fk, tenant_table_args
from saas.tenants.models import utcnow


class Widget(TenantScoped, db.Model):
    """A report: what to measure over which records, grouped how, shown as which chart.

    `kind` is "query" for the widgets the editor builds over any object; other kinds come from the
    widget_types hook (funnels, cohorts ...) and keep their settings in `options`."""

    __tablename__ = "analytics_widgets"
    __table_args__ = tenant_table_args(Index("ix_analytics_widgets_tenant_name", "tenant_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40), default="query")
    object_key: Mapped[str | None] = mapped_column(String(63))
    measure: Mapped[str] = mapped_column(String(10), default="count")
    measure_field: Mapped[str | None] = mapped_column(String(63))
    group_by: Mapped[str | None] = mapped_column(String(63))
    group_bucket: Mapped[str | None] = mapped_column(String(10))
    group_by2: Mapped[str | None] = mapped_column(String(63))
    group_bucket2: Mapped[str | None] = mapped_column(String(10))
    filters: Mapped[list] = mapped_column(JSON, default=list)          # [{"field", "op", "value"}]
    date_field: Mapped[str | None] = mapped_column(String(63))
    date_range: Mapped[str] = mapped_column(String(20), default="all")  # see periods.RANGES, or "fixed"
    date_from: Mapped[str | None] = mapped_column(String(10))
    date_to: Mapped[str | None] = mapped_column(String(10))
    chart_type: Mapped[str] = mapped_column(String(20), default="bar")
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    # Bumped on every change: part of the cache key, so a changed widget never shows old figures.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name


class Dashboard(TenantScoped, db.Model):
    """An arrangement of widgets, private to its author or shared with the workspace, with a date
    range and a filter that apply to every widget on it."""

    __tablename__ = "analytics_dashboards"
    __table_args__ = tenant_table_args(Index("ix_analytics_dashboards_tenant_owner", "tenant_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    preset: Mapped[str | None] = mapped_column(String(20))              # "sales", "customers": made by Orchard
    date_range: Mapped[str | None] = mapped_column(String(20))         # None: each widget's own
    date_from: Mapped[str | None] = mapped_column(String(10))
    date_to: Mapped[str | None] = mapped_column(String(10))
    filters: Mapped[list] = mapped_column(JSON, default=list)          # applied where the object has the field
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __str__(self) -> str:
        return self.name


class Tile(TenantScoped, db.Model):
    """One widget on one dashboard: its place in the grid and its size (columns of 12, rows)."""

    __tablename__ = "analytics_tiles"
    __table_args__ = tenant_table_args(
        tenant_fk("dashboard_id", "analytics_dashboards", ondelete="CASCADE"),
        tenant_fk("widget_id", "analytics_widgets", ondelete="CASCADE"),
        Index("ix_analytics_tiles_tenant_dashboard", "tenant_id", "dashboard_id", "position"),
        Index("ix_analytics_tiles_tenant_widget", "tenant_id", "widget_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dashboard_id: Mapped[int] = mapped_column(Integer)
    widget_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer, default=6)
    height: Mapped[int] = mapped_column(Integer, default=1)
