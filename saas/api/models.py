"""Idempotency keys: a retried POST with the same Idempotency-Key gets the first answer."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenants.isolation import TenantScoped, tenant_table_args
from saas.tenants.models import utcnow


class IdempotencyKey(TenantScoped, db.Model):
    """One key of one workspace: the request it came with (a hash) and the answer given."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON, nullable=True)
    token_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
