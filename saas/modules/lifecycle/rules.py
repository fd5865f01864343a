"""Lifecycle rules: a name, a target stage, conditions (all or any), a priority. The editor's form
is parsed here; every mistake comes back keyed by the input it belongs to (`c-0-value` ...)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.lifecycle.conditions import ConditionType, clean_condition, condition_types
from saas.modules.lifecycle.models import MATCHES, LifecycleRule

MAX_CONDITIONS = 20

# Rule templates the editor starts from: (key, name, target stage kind, conditions).
RULE_TEMPLATES = {
    "repeat_buyer": (_l("Repeat buyer"), "customer", [{"type": "order_count", "compare": "at_least", "count": 2,
                                                   "days": 180}]),
    "big_spender": (_l("Big spender"), "customer", [{"type": "order_total", "compare": "at_least", "amount": 10000,
                                                 "days": None}]),
    "overdue": (_l("Overdue against their usual rhythm"), "at_risk",
                [{"type": "overdue_vs_usual", "factor": 2, "min_orders": 3}]),
    "lapsed": (_l("No order for a year"), "lost", [{"type": "days_since_order", "compare": "more_than", "days": 365}]),
}


def rules() -> list[LifecycleRule]:
    """The workspace's rules by priority (first match wins)."""
    return list(db.session.scalars(select(LifecycleRule).order_by(LifecycleRule.position, LifecycleRule.id)))


def get_rule(rule_id: int) -> LifecycleRule | None:
    return db.session.scalar(select(LifecycleRule).where(LifecycleRule.id == rule_id))


def conditions_from_form(form) -> list[dict]:
    """The raw conditions of the editor form (`c-<i>-<param>` inputs), in order."""
    indexes = sorted({int(k.split("-")[1]) for k in form.keys() if k.startswith("c-") and k.count("-") >= 2
                      and k.split("-")[1].isdigit()})
    out = []
    for i in indexes:
        prefix = f"c-{i}-"
        out.append({k[len(prefix):]: form.get(k) for k in form.keys() if k.startswith(prefix)})
    return out


def clean(name: str, stage_id, match: str, raw_conditions: list[dict],
          types: dict[str, ConditionType] | None = None) -> tuple[dict, list[dict]]:
    """The rule's values checked; InputError with `name`, `stage`, `match`, `c-<i>-<param>` keys."""
    types = types if types is not None else condition_types()
    errors: dict = {}
    name = (name or "").strip()[:120]
    if not name:
        errors["name"] = _("Give the rule a name.")
    stage = None
    try:
        stage = definitions.get_stage(int(stage_id))
    except (TypeError, ValueError):
        pass
    if stage is None:
        errors["stage"] = _("Choose the stage it moves customers to.")
    if match not in MATCHES:
        errors["match"] = _("Choose all or any.")
    if not raw_conditions:
        errors["conditions"] = _("Add at least one condition.")
    if len(raw_conditions) > MAX_CONDITIONS:
        errors["conditions"] = _("Use at most %(n)d conditions.", n=MAX_CONDITIONS)
    conditions = []
    for i, raw in enumerate(raw_conditions):
        try:
            conditions.append(clean_condition(raw, types))
        except InputError as exc:
            errors.update({f"c-{i}-{key}": message for key, message in exc.fields.items()})
    if errors:
        raise InputError(errors, message=_("The rule was not saved: see the marked inputs."))
    return {"name": name, "stage_id": stage.id, "match": match}, conditions


def save_rule(rule: LifecycleRule | None, name: str, stage_id, match: str, raw_conditions: list[dict],
              enabled: bool = True) -> LifecycleRule:
    """Create or change a rule; a new one gets the lowest priority."""
    values, conditions = clean(name, stage_id, match, raw_conditions)
    if rule is None:
        rule = LifecycleRule(position=(db.session.scalar(select(func.max(LifecycleRule.position))) or 0) + 10)
        db.session.add(rule)
    rule.name, rule.stage_id, rule.match = values["name"], values["stage_id"], values["match"]
    rule.conditions, rule.enabled = conditions, bool(enabled)
    db.session.flush()
    return rule


def delete_rule(rule: LifecycleRule) -> None:
    db.session.delete(rule)
    db.session.flush()


def reorder_rules(rule_ids: list[int]) -> None:
    """Set the priorities in the order of `rule_ids` (unknown ids ignored, missing ones last)."""
    current = rules()
    by_id = {r.id: r for r in current}
    ordered = [by_id[i] for i in dict.fromkeys(rule_ids) if i in by_id]
    for index, rule in enumerate(ordered + [r for r in current if r not in ordered]):
        rule.position = (index + 1) * 10
    db.session.flush()


def template_rule(key: str) -> dict | None:
    """A rule template as editor values: name, the first stage of the wanted kind, conditions."""
    if key not in RULE_TEMPLATES:
        return None
    name, kind, conditions = RULE_TEMPLATES[key]
    stage = next((s for s in definitions.stages() if s.kind == kind), None)
    return {"name": str(name), "stage_id": stage.id if stage else None, "match": "all",
            "conditions": [dict(c) for c in conditions]}


def add_template_rule(key: str) -> LifecycleRule:
    """Save a rule template as a rule (the demo and the tests start from these)."""
    values = template_rule(key)
    if values is None:
        raise InputError({"template": _("Choose one of the rule templates.")})
    return save_rule(None, values["name"], values["stage_id"], "all", values["conditions"])
