"""The operator's view: every workspace with its plan, status and monthly recurring revenue."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from saas.extensions import db
from saas.modules.billing.accounts import account_for, effective_plan
from saas.modules.billing.plans import get_plan
from saas.tenants.context import tenant_context
from saas.tenants.models import Workspace

# Statuses that count towards MRR: paying now (a trial pays nothing yet; past due is still
# owed and counted until the grace period ends).
REVENUE_STATUSES = ("active", "manual", "past_due")


@dataclass
class ReportRow:
    slug: str
    name: str
    plan: str
    status: str
    limits_of: str  # the plan whose limits apply now (Free after a lapse)
    interval: str | None
    currency: str | None
    mrr: float  # in the currency's minor unit


def report() -> list[ReportRow]:
    """One row per workspace, by slug; each account is read inside its own workspace's context."""
    result = []
    for workspace in db.session.scalars(select(Workspace).order_by(Workspace.slug)):
        with tenant_context(workspace.id):
            account = account_for(workspace)
            in_force = effective_plan(workspace, account)
        paying = account.status in REVENUE_STATUSES and in_force.slug == workspace.plan
        mrr = get_plan(workspace.plan).monthly_amount(account.interval, account.currency) if paying else 0.0
        result.append(ReportRow(workspace.slug, workspace.name, workspace.plan, account.status, in_force.slug,
                                account.interval, account.currency, mrr))
    return result


def mrr_by_currency(rows: list[ReportRow]) -> dict[str, float]:
    """Total MRR per currency, in minor units."""
    totals: dict[str, float] = {}
    for row in rows:
        if row.mrr and row.currency:
            totals[row.currency] = totals.get(row.currency, 0.0) + row.mrr
    return totals
