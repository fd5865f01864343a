"""Isolation-walk factories for the sales module (see tests/isolation.py)."""
from __future__ import annotations

from saas.extensions import db
from saas.metadata import pipelines
from saas.modules.sales import leads, tasks
from saas.modules.sales.models import AssignmentRule, Deal, DealTask, Lead
from tests.sales import helpers
from tests.tenants.isolation_records import _state


def deal(tenant):
    row = helpers.deal(f"Deal of {tenant.slug}")
    return row.id, _state(Deal, row.id)


def lead(tenant):
    row = helpers.lead(f"Lead of {tenant.slug}")
    return row.id, _state(Lead, row.id)


def pipeline(tenant):
    row = pipelines.default_pipeline("deal")
    return row.id, _state(pipelines.Pipeline, row.id)


def stage(tenant):
    row = pipelines.default_pipeline("deal").stages[0]
    return row.id, _state(pipelines.Stage, row.id)


def rule(tenant):
    row = leads.save_rule(None, name="Everyone", kind="round_robin", user_ids=[tenant.owner.id])
    db.session.commit()
    return row.id, _state(AssignmentRule, row.id)


def task(tenant):
    owner_deal = helpers.deal(f"Task deal of {tenant.slug}", commit=False)
    tasks.add_task(owner_deal, "Call back", "2026-01-10", tenant.owner.id, tenant.owner.id)
    db.session.commit()
    link = db.session.scalar(db.select(DealTask).where(DealTask.deal_id == owner_deal.id))
    return link.id, _state(DealTask, link.id)


RECORD_FACTORIES = {
    "deal_id": deal,
    "lead_id": lead,
    "pipeline_id": pipeline,
    "stage_id": stage,
    "rule_id": rule,
    "task_id": task,
}
