"""Billing state: one account per workspace, and the Stripe events already handled.

The account is tenant data like any other (scoped, with row-level security). A Stripe webhook
arrives with no workspace in context: it learns the workspace from Stripe's own objects (the
subscription's or customer's metadata, written when Orchard created them) and then enters that
workspace's context, checking that the customer on our side is the same.
The event log holds Stripe's ids only, nothing of a workspace: it is platform data.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.tenants.isolation import TenantScoped, tenant_table_args
from saas.tenants.models import Workspace, utcnow

# Stripe subscription statuses under which the workspace has the plan it pays for.
LIVE_STATUSES = ("trialing", "active", "past_due")


class BillingAccount(TenantScoped, db.Model):
    """A workspace's subscription as Stripe (or, in manual mode, the operator) last told us."""

    __tablename__ = "billing_accounts"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # none (never subscribed), manual (set by the operator), or a Stripe subscription status
    status: Mapped[str] = mapped_column(String(24), default="none")
    interval: Mapped[str | None] = mapped_column(String(10))
    currency: Mapped[str | None] = mapped_column(String(3))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    current_period_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trial_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    past_due_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    canceled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trial_used: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    workspace: Mapped[Workspace] = relationship()

    @property
    def is_live(self) -> bool:
        """A Stripe subscription that still bills (trialing, active or past due)."""
        return self.stripe_subscription_id is not None and self.status in LIVE_STATUSES


class BillingEvent(db.Model):
    """A Stripe event handled once: its id is the key, so a replay finds it and stops."""

    __tablename__ = "billing_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    created: Mapped[int] = mapped_column(Integer)  # Stripe's event.created (epoch seconds)
    outcome: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
