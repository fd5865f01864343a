"""A workspace's billing account: its state, the plan in force, the grace period, manual plans."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.modules.billing.models import BillingAccount
from saas.modules.billing.plans import CURRENCIES, FREE, INTERVALS, PLANS, Plan, get_plan
from saas.tenants.models import Workspace, utcnow


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def from_timestamp(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=timezone.utc) if value else None


def stripe_enabled() -> bool:
    """Billing goes through Stripe when STRIPE_API_KEY is set; otherwise the operator sets plans."""
    return bool(current_app.config.get("STRIPE_API_KEY"))


def grace_days() -> int:
    return int(current_app.config["BILLING_GRACE_DAYS"])


def account_for(workspace: Workspace, create: bool = False) -> BillingAccount:
    """The workspace's account (in its tenant context); a blank one, added only with `create`."""
    account = db.session.scalar(select(BillingAccount).where(BillingAccount.tenant_id == workspace.id))
    if account is None:
        account = BillingAccount(tenant_id=workspace.id, workspace=workspace, status="none",
                                 cancel_at_period_end=False, trial_used=False)
        if create:
            db.session.add(account)
    return account


def grace_ends_at(account: BillingAccount) -> datetime | None:
    """When a past-due workspace falls back to Free, or None when it is not past due."""
    if account.status != "past_due" or account.past_due_since is None:
        return None
    return aware(account.past_due_since) + timedelta(days=grace_days())


def effective_plan(workspace: Workspace, account: BillingAccount | None = None) -> Plan:
    """The plan whose limits apply now.

    Trialing and active subscriptions (and plans the operator set) have their plan; a past-due
    one keeps it for the grace period; canceled, unpaid and unfinished ones have Free limits.
    """
    account = account or account_for(workspace)
    plan = get_plan(workspace.plan)
    if account.status in ("none", "manual", "trialing", "active"):
        return plan
    if account.status == "past_due":
        ends = grace_ends_at(account)
        return plan if ends is None or utcnow() < ends else FREE
    return FREE


@dataclass
class Banner:
    """A notice for the top of every workspace page."""

    level: str  # warning | error
    message: str


def banner(workspace: Workspace) -> Banner | None:
    """The billing notice the layout shows: past due (with the grace deadline) or on Free limits."""
    account = account_for(workspace)
    if account.status == "past_due":
        ends = grace_ends_at(account)
        if ends is not None and utcnow() >= ends:
            return Banner("error", _("The last payment failed and the grace period is over: this workspace "
                                     "has the limits of the Free plan until the invoice is paid. Nothing was deleted."))
        return Banner("warning", _("The last payment failed. Update the payment method before %(date)s to keep "
                                   "the %(plan)s plan.", date=ends.date().isoformat() if ends else "",
                                   plan=get_plan(workspace.plan).name))
    if account.status in ("unpaid", "incomplete_expired"):
        return Banner("error", _("The subscription is not paid: this workspace has the limits of the Free plan. "
                                 "Nothing was deleted."))
    return None


def set_plan(workspace: Workspace, slug: str, interval: str = "month", currency: str = "usd") -> BillingAccount:
    """The operator puts a workspace on a plan by hand (manual mode); the caller commits."""
    plan = PLANS.get(slug)
    if plan is None:
        raise InputError({"plan": _("Unknown plan %(plan)s. Choose one of: %(plans)s.",
                                    plan=slug, plans=", ".join(PLANS))})
    if interval not in INTERVALS:
        raise InputError({"interval": _("Choose month or year.")})
    if currency not in CURRENCIES:
        raise InputError({"currency": _("Choose one of: %(currencies)s.", currencies=", ".join(CURRENCIES))})
    account = account_for(workspace, create=True)
    workspace.plan = plan.slug
    account.status = "manual" if plan.is_paid else "none"
    account.interval, account.currency = (interval, currency) if plan.is_paid else (None, None)
    account.past_due_since = None
    account.cancel_at_period_end = False
    return account
