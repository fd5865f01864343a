"""The greetings sent: one row per contact, occasion and year, so a greeting never goes twice."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Date, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.plugin_api import TenantScoped, db, tenant_fk, tenant_table_args


class Greeting(TenantScoped, db.Model):
    __tablename__ = "birthday_greetings_sent"
    __table_args__ = tenant_table_args(
        tenant_fk("contact_id", "contacts", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "contact_id", "occasion", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(Integer)
    occasion: Mapped[str] = mapped_column(String(40))  # "birthday" or a holiday key
    year: Mapped[int] = mapped_column(Integer)
    sent_on: Mapped[date] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(timezone.utc))
