"""The core records: companies, contacts, orders and activities.

Standard columns hold what every workspace has; `custom` holds the values of the workspace's own
fields, keyed by field key (jsonb on PostgreSQL, JSON on SQLite). References between these tables
are composite (tenant_id, id) foreign keys, so a record can only point at one of its own workspace.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String,
                        Text)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from saas.extensions import db
from saas.tenants.isolation import TenantScoped, tenant_fk, tenant_table_args
from saas.tenants.models import User, utcnow

# One JSON document type: jsonb on PostgreSQL (indexable, ->> operators), JSON elsewhere.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


class RecordMixin(TenantScoped):
    """Columns every core record has: owner, custom values, timestamps."""

    id: Mapped[int] = mapped_column(primary_key=True)
    custom: Mapped[dict] = mapped_column(JSONDoc, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        # Users are global (one account, many workspaces): a plain foreign key.
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def owner(cls) -> Mapped[User | None]:
        return relationship(User, foreign_keys=lambda: [cls.owner_id])


class Company(RecordMixin, db.Model):
    __tablename__ = "companies"
    __table_args__ = tenant_table_args(Index("ix_companies_tenant_name", "tenant_id", "name", "id"))

    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    industry: Mapped[str | None] = mapped_column(String(80))
    city: Mapped[str | None] = mapped_column(String(80))
    tags: Mapped[list] = mapped_column(JSONDoc, default=list, nullable=False)

    def __str__(self) -> str:
        return self.name


class Contact(RecordMixin, db.Model):
    __tablename__ = "contacts"
    __table_args__ = tenant_table_args(
        tenant_fk("company_id", "companies"),
        Index("ix_contacts_tenant_name", "tenant_id", "name", "id"),
        Index("ix_contacts_tenant_email", "tenant_id", "email"),
        Index("ix_contacts_tenant_phone", "tenant_id", "phone"),
        Index("ix_contacts_tenant_company", "tenant_id", "company_id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(120))
    company_id: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[list] = mapped_column(JSONDoc, default=list, nullable=False)
    # A lifecycle stage key; the lifecycle module defines the stages and moves contacts between them.
    lifecycle_stage: Mapped[str | None] = mapped_column(String(40))

    company: Mapped[Company | None] = relationship(
        primaryjoin="and_(Contact.company_id == Company.id, Contact.tenant_id == Company.tenant_id)",
        foreign_keys=[company_id], viewonly=True)

    def __str__(self) -> str:
        return self.name


ORDER_STATUSES = ("pending", "paid", "shipped", "completed", "refunded", "cancelled")


class Order(RecordMixin, db.Model):
    """A customer's purchase: what loyalty, lifecycle and analytics count."""

    __tablename__ = "orders"
    __table_args__ = tenant_table_args(
        tenant_fk("contact_id", "contacts", ondelete="CASCADE"),
        tenant_fk("company_id", "companies"),
        Index("ix_orders_tenant_contact", "tenant_id", "contact_id", "ordered_on"),
        Index("ix_orders_tenant_company", "tenant_id", "company_id"),
        Index("ix_orders_tenant_ordered_on", "tenant_id", "ordered_on", "id"),
    )

    number: Mapped[str] = mapped_column(String(40))
    contact_id: Mapped[int | None] = mapped_column(Integer)
    company_id: Mapped[int | None] = mapped_column(Integer)
    ordered_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(20), default="paid")
    items_summary: Mapped[str | None] = mapped_column(String(500))

    contact: Mapped[Contact | None] = relationship(
        primaryjoin="and_(Order.contact_id == Contact.id, Order.tenant_id == Contact.tenant_id)",
        foreign_keys=[contact_id], viewonly=True)
    company: Mapped[Company | None] = relationship(
        primaryjoin="and_(Order.company_id == Company.id, Order.tenant_id == Company.tenant_id)",
        foreign_keys=[company_id], viewonly=True)

    def __str__(self) -> str:
        return self.number


ACTIVITY_KINDS = ("call", "email", "meeting", "note", "task")


class Activity(RecordMixin, db.Model):
    """A call, e-mail, meeting, note or task: together they form a record's timeline."""

    __tablename__ = "activities"
    __table_args__ = tenant_table_args(
        tenant_fk("contact_id", "contacts", ondelete="CASCADE"),
        tenant_fk("company_id", "companies", ondelete="CASCADE"),
        Index("ix_activities_tenant_contact", "tenant_id", "contact_id", "occurred_at"),
        Index("ix_activities_tenant_company", "tenant_id", "company_id", "occurred_at"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    company_id: Mapped[int | None] = mapped_column(Integer)

    contact: Mapped[Contact | None] = relationship(
        primaryjoin="and_(Activity.contact_id == Contact.id, Activity.tenant_id == Contact.tenant_id)",
        foreign_keys=[contact_id], viewonly=True)
    company: Mapped[Company | None] = relationship(
        primaryjoin="and_(Activity.company_id == Company.id, Activity.tenant_id == Company.tenant_id)",
        foreign_keys=[company_id], viewonly=True)

    def __str__(self) -> str:
        return self.subject


class FieldChange(TenantScoped, db.Model):
    """One change of one field of one record: who, when, the old and the new value."""

    __tablename__ = "field_changes"
    __table_args__ = tenant_table_args(
        Index("ix_field_changes_tenant_record", "tenant_id", "object_key", "record_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    object_key: Mapped[str] = mapped_column(String(63))
    record_id: Mapped[int] = mapped_column(Integer)
    field_key: Mapped[str] = mapped_column(String(63))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()


class SavedView(TenantScoped, db.Model):
    """A list's columns, filters and sort, kept by a user for themself or shared with the workspace."""

    __tablename__ = "saved_views"
    __table_args__ = tenant_table_args(Index("ix_saved_views_tenant_object", "tenant_id", "object_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    object_key: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    columns: Mapped[list] = mapped_column(JSON, default=list)
    filters: Mapped[list] = mapped_column(JSON, default=list)
    sort: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()
