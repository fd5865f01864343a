"""Changing the workspace's stages where customers are involved: starting from a template,
switching template, removing a stage that holds customers. Nothing leaves a customer without one."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.metadata.lifecycle import TEMPLATES, LifecycleStage
from saas.modules.lifecycle import history
from saas.modules.lifecycle.models import LifecycleRule, LifecycleSettings, StageAction


def settings() -> LifecycleSettings:
    """The workspace's lifecycle settings row (created on first use)."""
    row = db.session.scalar(select(LifecycleSettings))
    if row is None:
        row = LifecycleSettings(template=None, nightly=True)
        db.session.add(row)
        db.session.flush()
    return row


def ensure_stages(template: str = definitions.DEFAULT_TEMPLATE) -> None:
    """Give a workspace without stages the template's stages (idempotent)."""
    if definitions.stages():
        definitions.sync_field_options()
        return
    definitions.create_stages(template)
    settings().template = template


def _mapping(old: list[LifecycleStage], spec: tuple) -> dict[str, str]:
    """Where each old stage's customers go: the same key, else the stage of the same kind at the
    same rank within that kind, else the first stage."""
    new_keys = [key for key, _labels, _colour, _kind in spec]
    by_kind: dict[str, list[str]] = {}
    for key, _labels, _colour, kind in spec:
        by_kind.setdefault(kind, []).append(key)
    old_rank: dict[str, int] = {}
    counters: dict[str, int] = {}
    for stage in old:
        old_rank[stage.key] = counters.get(stage.kind, 0)
        counters[stage.kind] = old_rank[stage.key] + 1
    mapping = {}
    for stage in old:
        if stage.key in new_keys:
            mapping[stage.key] = stage.key
        elif stage.kind in by_kind:
            same = by_kind[stage.kind]
            mapping[stage.key] = same[min(old_rank[stage.key], len(same) - 1)]
        else:
            mapping[stage.key] = new_keys[0]
    return mapping


def preview_switch(template: str) -> list[tuple[LifecycleStage, str]]:
    """(old stage, key of the new stage its customers go to) for the confirmation page."""
    if template not in TEMPLATES:
        raise InputError({"template": _("Choose one of the templates.")})
    old = definitions.stages()
    mapping = _mapping(old, TEMPLATES[template]["stages"])
    return [(stage, mapping[stage.key]) for stage in old]


def switch_template(template: str, user_id: int | None) -> int:
    """Replace the stages by a template's: customers, rules and actions follow the mapping; returns
    how many customers moved."""
    if template not in TEMPLATES:
        raise InputError({"template": _("Choose one of the templates.")})
    spec = TEMPLATES[template]["stages"]
    old = definitions.stages()
    mapping = _mapping(old, spec)
    old_by_key = {s.key: s for s in old}
    rows: dict[str, LifecycleStage] = {}
    for index, (key, labels, colour, kind) in enumerate(spec):
        row = old_by_key.get(key) or LifecycleStage(key=key, custom={})
        row.name, row.labels, row.colour, row.kind = labels["en"], dict(labels), colour, kind
        row.position = (index + 1) * 10
        db.session.add(row)
        rows[key] = row
    db.session.flush()
    for stage in old:
        if stage.key in rows:
            continue
        target = rows[mapping[stage.key]]
        for model in (LifecycleRule, StageAction):
            db.session.execute(update(model).where(model.stage_id == stage.id).values(stage_id=target.id))
    moved = history.remap(mapping, "template", user_id)
    for stage in old:
        if stage.key not in rows:
            db.session.delete(db.session.merge(stage))
    db.session.flush()
    settings().template = template
    definitions.sync_field_options()
    return moved


def remove_stage(stage: LifecycleStage, move_to: str | None, user_id: int | None) -> int:
    """Remove a stage; its customers go to `move_to` first (required when it holds any), and its
    rules and actions go with it. Returns how many customers moved."""
    held = history.counts_by_stage().get(stage.key, 0)
    others = {s.key for s in definitions.stages() if s.id != stage.id}
    if not others:
        raise InputError(message=_("The lifecycle keeps at least one stage."))
    moved = 0
    if held:
        if move_to not in others:
            raise InputError({"move_to": _("Choose where this stage's customers go.")})
        moved = history.remap({stage.key: move_to}, "stage_removed", user_id)
    stage = definitions.get_stage(stage.id)
    definitions.delete_stage(stage)
    return moved
