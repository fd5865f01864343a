"""Object and field definitions per workspace, and the workspace's metadata version."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.tenants.isolation import TenantScoped, tenant_fk, tenant_table_args
from saas.tenants.models import utcnow


class ObjectDefinition(TenantScoped, db.Model):
    """A kind of record in a workspace (contact, company, order ...): its labels and its fields."""

    __tablename__ = "object_definitions"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(63))
    labels: Mapped[dict] = mapped_column(JSON, default=dict)          # {"en": ..., "zh_Hans": ...}
    plural_labels: Mapped[dict] = mapped_column(JSON, default=dict)
    is_system: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    fields: Mapped[list["FieldDefinition"]] = relationship(
        primaryjoin="and_(FieldDefinition.object_id == ObjectDefinition.id, "
                    "FieldDefinition.tenant_id == ObjectDefinition.tenant_id)",
        foreign_keys="[FieldDefinition.object_id]", viewonly=True,
        order_by="(FieldDefinition.position, FieldDefinition.id)")


class FieldDefinition(TenantScoped, db.Model):
    """One field of an object: a standard column (is_system) or a custom value in the JSON column."""

    __tablename__ = "field_definitions"
    __table_args__ = tenant_table_args(
        tenant_fk("object_id", "object_definitions", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "object_id", "key"),
        Index("ix_field_definitions_tenant_object", "tenant_id", "object_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(63))                      # immutable identifier
    type: Mapped[str] = mapped_column(String(20))
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    help_texts: Mapped[dict] = mapped_column(JSON, default=dict)
    options: Mapped[list] = mapped_column(JSON, default=list)         # [{"value", "labels"}] for selects
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    unique: Mapped[bool] = mapped_column(Boolean, default=False)
    default: Mapped[Any] = mapped_column(JSON, nullable=True)
    group: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    filterable: Mapped[bool] = mapped_column(Boolean, default=False)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    reference_object: Mapped[str | None] = mapped_column(String(63))  # for type "reference"
    # Set when an admin removes the field: hidden at once, values purged by a job.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # PostgreSQL expression index of a filterable custom field: None, building, ready, failed.
    index_state: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    object: Mapped[ObjectDefinition] = relationship(
        primaryjoin="and_(FieldDefinition.object_id == ObjectDefinition.id, "
                    "FieldDefinition.tenant_id == ObjectDefinition.tenant_id)",
        foreign_keys=[object_id], viewonly=True)

    @property
    def is_custom(self) -> bool:
        return not self.is_system

    def label(self, locale: str | None = None) -> str:
        """The label in `locale` (default: the request's), falling back to English, then the key."""
        from saas.metadata.i18n import pick

        return pick(self.labels, locale) or self.key

    def help(self, locale: str | None = None) -> str:
        from saas.metadata.i18n import pick

        return pick(self.help_texts, locale) or ""

    def option_label(self, value, locale: str | None = None) -> str:
        from saas.metadata.i18n import pick

        for option in self.options or []:
            if option.get("value") == value:
                return pick(option.get("labels") or {}, locale) or str(value)
        return str(value)


class MetadataVersion(TenantScoped, db.Model):
    """The workspace's metadata version: bumped on every change, it keys the schema cache."""

    __tablename__ = "metadata_versions"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
