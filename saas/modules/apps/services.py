"""Enabling, disabling and configuring plugins per workspace."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from saas.errors import InputError
from saas.extensions import db
from saas.modules.apps.models import WorkspacePlugin, utcnow
from saas.plugins import PluginInfo, forget_enabled_plugins, hooks, platform
from saas.tenants.context import tenant_context


@dataclass
class App:
    """A plugin as one workspace sees it, for the Apps page."""

    info: PluginInfo
    enabled: bool
    error: dict | None

    @property
    def name(self) -> str:
        return self.info.name


def _rows(workspace) -> dict[str, WorkspacePlugin]:
    with tenant_context(workspace.id):
        return {row.plugin: row for row in db.session.scalars(select(WorkspacePlugin))}


def _is_enabled(info: PluginInfo, row: WorkspacePlugin | None) -> bool:
    return _enabled_by_choice(info, row.enabled if row is not None else None)


def _enabled_by_choice(info: PluginInfo, choice: bool | None) -> bool:
    if info.manifest.always_on:
        return True
    return bool(choice) if choice is not None else info.manifest.default_enabled


def enabled_plugin_names(workspace) -> list[str]:
    """The plugins enabled for `workspace`: always-on ones, its choices, and the defaults."""
    choices = _read_choices().get(workspace.id)
    if choices is None:
        choices = {name: row.enabled for name, row in _rows(workspace).items()}
    return [info.name for info in platform().loaded() if _enabled_by_choice(info, choices.get(info.name))]


# --- the choices read along with another statement (API requests: with the token) ---------------

_CHOICES_KEY = "saas.plugin_choices"


def choices_subquery(tenant_id_column, dialect_name: str):
    """A scalar subquery of the workspace's plugin choices, {plugin: enabled} as a JSON object (or
    NULL when it has none), for a statement that reads another row of the workspace anyway."""
    aggregate = func.json_object_agg if dialect_name == "postgresql" else func.json_group_object
    return (select(aggregate(WorkspacePlugin.plugin, WorkspacePlugin.enabled))
            .where(WorkspacePlugin.tenant_id == tenant_id_column).scalar_subquery())


def note_choices(workspace_id: int, choices) -> None:
    """Take the choices read by choices_subquery() as this request's: enabled_plugin_names()
    then needs no query of its own. Read in the request's own transaction, they are never stale."""
    if not has_request_context():
        return
    if isinstance(choices, str):                      # SQLite hands JSON over as text
        choices = json.loads(choices)
    request.environ.setdefault(_CHOICES_KEY, {})[workspace_id] = {
        str(name): bool(enabled) for name, enabled in (choices or {}).items()}


def _read_choices() -> dict:
    return request.environ.get(_CHOICES_KEY, {}) if has_request_context() else {}


def _forget(workspace) -> None:
    # A change in this request: the choices read at its start no longer hold.
    _read_choices().pop(workspace.id, None)
    forget_enabled_plugins(workspace)


def apps(workspace) -> tuple[list[App], list[PluginInfo]]:
    """The loaded plugins with their state for `workspace`, and the broken ones."""
    rows = _rows(workspace)
    loaded = [App(info, _is_enabled(info, rows.get(info.name)), platform().error_for(workspace.id, info.name))
              for info in platform().loaded()]
    broken = sorted((p for p in platform().plugins.values() if p.broken), key=lambda p: p.name)
    return loaded, broken


def get_plugin(name: str) -> PluginInfo | None:
    """A loaded plugin by name (None for unknown or broken ones)."""
    info = platform().plugins.get(name)
    return info if info is not None and not info.broken else None


def _row(workspace, name: str) -> WorkspacePlugin:
    row = db.session.scalar(select(WorkspacePlugin).where(WorkspacePlugin.plugin == name))
    if row is None:
        row = WorkspacePlugin(plugin=name, enabled=False, settings={})
        db.session.add(row)
    return row


def plan_allows(workspace, required_plan: str) -> bool:
    """Whether the workspace's plan covers a plugin's required plan (the billing module may decide)."""
    answer = hooks().plan_includes(workspace_plan=workspace.plan, required_plan=required_plan)
    if answer is not None:
        return bool(answer)
    return required_plan == "free" or workspace.plan == required_plan


def enable(workspace, name: str, actor_id: int | None = None) -> WorkspacePlugin:
    """Turn a plugin on for the workspace in context; its data from an earlier time comes back."""
    info = get_plugin(name)
    if info is None:
        raise InputError(message=_("No such app is installed."), code="not_found", status=404)
    if not plan_allows(workspace, info.manifest.plan):
        raise InputError(message=_("This app needs the %(plan)s plan.", plan=info.manifest.plan),
                         code="plan_required", status=402)
    row = _row(workspace, name)
    if info.source != "builtin" and not row.enabled:
        # Third-party plugins count against the plan's plugin limit (billing decides).
        from saas.modules.billing.limits import require_capacity

        require_capacity("plugins")
    first_time = row.first_enabled_at is None
    row.enabled, row.changed_by_id = True, actor_id
    if first_time:
        row.first_enabled_at = utcnow()
    db.session.flush()
    _forget(workspace)
    hooks(workspace=workspace, plugin=name).plugin_enabled(first_time=first_time)
    return row


def disable(workspace, name: str, actor_id: int | None = None) -> WorkspacePlugin:
    """Turn a plugin off for the workspace in context; its settings and data stay."""
    info = get_plugin(name)
    if info is None:
        raise InputError(message=_("No such app is installed."), code="not_found", status=404)
    if info.manifest.always_on:
        raise InputError(message=_("%(app)s is part of Orchard and cannot be turned off.", app=info.manifest.title),
                         code="always_on")
    row = _row(workspace, name)
    row.enabled, row.changed_by_id = False, actor_id
    db.session.flush()
    hooks(workspace=workspace, plugin=name).plugin_disabled()
    _forget(workspace)
    return row


def settings_of(workspace, name: str) -> dict[str, Any]:
    """A plugin's settings for `workspace`, typed by its schema, defaults filled in."""
    info = get_plugin(name)
    if info is None or info.manifest.settings is None:
        return {}
    with tenant_context(workspace.id):
        row = db.session.scalar(select(WorkspacePlugin).where(WorkspacePlugin.plugin == name))
    schema = info.manifest.settings()
    stored = dict(row.settings or {}) if row is not None else {}
    known = {key: value for key, value in stored.items() if key in schema.fields}
    try:
        return schema.load(known)
    except ValidationError:
        # Stored settings a newer schema no longer accepts fall back to the defaults field by field.
        return schema.load({k: v for k, v in known.items() if _valid(schema, k, v)})


def _valid(schema, key: str, value: Any) -> bool:
    try:
        schema.load({key: value}, partial=True)
    except ValidationError:
        return False
    return True


def save_settings(workspace, name: str, data: dict[str, Any], actor_id: int | None = None) -> dict[str, Any]:
    """Validate and store a plugin's settings for the workspace in context; InputError per field."""
    info = get_plugin(name)
    if info is None or info.manifest.settings is None:
        raise InputError(message=_("This app has no settings."), code="not_found", status=404)
    schema = info.manifest.settings()
    try:
        loaded = schema.load(data)
    except ValidationError as exc:
        raise InputError({key: " ".join(map(str, msgs)) if isinstance(msgs, list) else str(msgs)
                          for key, msgs in exc.normalized_messages().items()}) from None
    row = _row(workspace, name)
    row.settings, row.changed_by_id = schema.dump(loaded), actor_id
    db.session.flush()
    return loaded
