"""Webhook endpoints of a workspace and their delivery log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.tenants.isolation import TenantScoped, tenant_fk, tenant_table_args
from saas.tenants.models import utcnow


class Webhook(TenantScoped, db.Model):
    """A URL that receives the workspace's events, signed with its own secret."""

    __tablename__ = "webhooks"
    __table_args__ = tenant_table_args()

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    events: Mapped[list] = mapped_column(JSON, default=list)         # event names, or ["*"]
    # Kept in clear: it signs every delivery (a hash could not). Shown to the workspace's admins.
    secret: Mapped[str] = mapped_column(String(80))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str | None] = mapped_column(String(40))  # "failures" or "admin"
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def wants(self, event: str) -> bool:
        return self.enabled and ("*" in (self.events or []) or event in (self.events or []))


class WebhookDelivery(TenantScoped, db.Model):
    """One event sent (or to be sent) to one webhook: its attempts and the last answer."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = tenant_table_args(
        tenant_fk("webhook_id", "webhooks", ondelete="CASCADE"),
        Index("ix_webhook_deliveries_tenant_webhook", "tenant_id", "webhook_id", "id"),
        Index("ix_webhook_deliveries_tenant_due", "tenant_id", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[str] = mapped_column(String(40))                # the same on every attempt
    event: Mapped[str] = mapped_column(String(80))
    payload: Mapped[Any] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, retrying, succeeded, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    webhook: Mapped[Webhook] = relationship(
        primaryjoin="and_(WebhookDelivery.webhook_id == Webhook.id, WebhookDelivery.tenant_id == Webhook.tenant_id)",
        foreign_keys=[webhook_id], viewonly=True)
