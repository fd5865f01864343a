"""Isolation-walk factories for the lifecycle module (see tests/isolation.py)."""
from __future__ import annotations

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.lifecycle import actions, rules
from saas.modules.lifecycle.models import Evaluation, LifecycleRule, StageAction
from tests.tenants.isolation_records import _state


def lifecycle_stage(tenant):
    row = definitions.stage_map()["loyalty"]
    return row.id, _state(definitions.LifecycleStage, row.id)


def lifecycle_rule(tenant):
    row = rules.save_rule(None, "Repeat buyers", definitions.stage_map()["retention"].id, "all",
                          [{"type": "order_count", "compare": "at_least", "count": 2, "days": 180}])
    db.session.commit()
    return row.id, _state(LifecycleRule, row.id)


def lifecycle_action(tenant):
    row = actions.add_action(definitions.stage_map()["at_risk"], "enter", "task", {"subject": "Call", "due_days": 3})
    db.session.commit()
    return row.id, _state(StageAction, row.id)


def evaluation(tenant):
    row = Evaluation(trigger="manual", status="done", steps_done=3, steps_total=3, moved=0)
    db.session.add(row)
    db.session.commit()
    return row.id, _state(Evaluation, row.id)


RECORD_FACTORIES = {
    "lifecycle_stage_id": lifecycle_stage,
    "lifecycle_rule_id": lifecycle_rule,
    "lifecycle_action_id": lifecycle_action,
    "evaluation_id": evaluation,
}
