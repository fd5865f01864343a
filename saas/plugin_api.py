"""The public plugin API: everything a plugin may use, and nothing else (see docs/plugins.md).

Plugins import from here only, never from Orchard's internals, so those can change without
breaking them. Built-in modules use the same names.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g
from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB
from flask_babel import gettext, lazy_gettext, ngettext

from saas.errors import InputError
from saas.extensions import db
from saas.jobs import enqueue, report_progress
from saas.mail import send_mail as _send_mail
from saas.metadata.i18n import pick as pick_label
from saas.metadata.objects import ObjectType, StandardField, register_object
from saas.modules.apps import testing
from saas.plugins import hookimpl
from saas.tenants.context import current_tenant_id
from saas.tenants.isolation import TenantScoped, enable_rls, tenant_fk, tenant_table_args
from saas.tenants.request import WORKSPACE_PREFIX, can, permission_required, require
from saas.web.urls import external_url

_ = gettext
_l = lazy_gettext

__all__ = [
    "hookimpl", "db", "TenantScoped", "tenant_table_args", "tenant_fk", "enable_rls", "send_mail", "enqueue",
    "report_progress", "current_workspace", "plugin_settings", "WORKSPACE_PREFIX", "permission_required",
    "require", "can", "gettext", "lazy_gettext", "ngettext", "_", "_l", "InputError", "external_url",
    "Contact", "declare_custom_field", "testing",
    "JSONDocument", "ObjectType", "StandardField", "register_object", "ensure_object_definitions", "record_pages",
    "get_record", "create_record", "update_record", "record_history", "publish_record_event",
    "declare_webhook_event", "Company", "Activity", "pipelines", "pick_label", "member_choices", "member_email",
    "render_figure", "serve_charts", "object_fields",
]

# A column for custom values (jsonb on PostgreSQL, JSON elsewhere): name it `custom` on a registered object.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def current_workspace():
    """The workspace this request or job runs for (None outside one)."""
    workspace = g.get("workspace") if g else None
    if workspace is not None:
        return workspace
    tenant_id = current_tenant_id()
    if tenant_id is None:
        return None
    from saas.tenants.models import Workspace

    return db.session.get(Workspace, tenant_id)


def send_mail(to: str, subject: str, body: str):
    """Send a plain-text mail for the current workspace through Orchard's one mail sender
    (the outbox, and SMTP when configured); it leaves after the transaction commits."""
    return _send_mail(to, subject, body, tenant_id=current_tenant_id())


def plugin_settings(plugin: str) -> dict[str, Any]:
    """The settings of `plugin` for the current workspace, typed by its schema, defaults filled in."""
    from saas.modules.apps.services import settings_of

    return settings_of(current_workspace(), plugin)


def __getattr__(name: str):
    # Contacts belong to the core module: the read model is handed out here, loaded on first use.
    if name in ("Contact", "Company", "Activity"):
        from saas.modules.core import models

        return getattr(models, name)
    if name == "pipelines":
        # Pipelines and stages of the metadata layer (saas.metadata.pipelines), loaded on first use.
        from saas.metadata import pipelines

        return pipelines
    raise AttributeError(name)


def declare_custom_field(object_key: str, key: str, type: str, labels: dict[str, str],
                         options: list | None = None) -> None:
    """Add a custom field to an object of the current workspace unless a field `key` exists already;
    `options` (values, or {"value", "labels"} dicts) for single and multi selects."""
    from saas.metadata import definitions

    if key not in definitions.field_map(object_key):
        definitions.add_field(object_key, labels=labels, type=type, key=key, options=options)


def ensure_object_definitions() -> None:
    """Create the definitions (standard fields) of every registered object in the current workspace
    that lacks them; idempotent. Call it when the plugin is enabled or a workspace is created."""
    from saas.metadata.definitions import ensure_definitions

    ensure_definitions()


def object_fields(object_key: str) -> list:
    """The live fields of an object in the current workspace (standard and custom), in layout order:
    each has `key`, `type`, `label()`, `options`, `is_custom`, `option_label(value)`."""
    from saas.metadata.definitions import fields

    return fields(object_key)


def record_pages(object_type: ObjectType) -> Blueprint:
    """The list (filters, sort, saved views, bulk actions), new, record page, edit and delete pages of
    a registered object, as a blueprint named after `object_type.endpoint`: add routes to it if you
    like, then register it under `f"{WORKSPACE_PREFIX}/<path>"` in `register_blueprints`."""
    from saas.modules.core.views.records import make_blueprint

    return make_blueprint(object_type)


def get_record(object_key: str, record_id: int):
    """The record of the current workspace, or None (another workspace's id is None too)."""
    from saas.modules.core import records

    return records.get_record(object_key, record_id)


def create_record(object_key: str, data: dict, user_id: int | None = None):
    """Create a record from `{field key: value}` (standard and custom fields), validated by the
    workspace's field definitions (InputError per field), with history and the record_changed hook."""
    from saas.modules.core import records

    return records.create_record(object_key, data, user_id=user_id)


def update_record(object_key: str, record, data: dict, user_id: int | None = None) -> list:
    """Change the given fields of a record, validated; each change goes into its history."""
    from saas.modules.core import records

    return records.update_record(object_key, record, data, user_id=user_id)


def record_history(object_key: str, record_id: int, limit: int = 200) -> list:
    """The record's field changes, newest first (`field_key`, `old_value`, `new_value`, `user`, `changed_at`)."""
    from saas.modules.core import records

    return records.history(object_key, record_id, limit=limit)


def publish_record_event(object_key: str, record_id: int, change: str, before: dict | None = None,
                         after: dict | None = None) -> None:
    """Call the record_changed hook for the current workspace with a change of the plugin's own
    (e.g. "won"): webhooks send it as "<object_key>.<change>". Create, update and delete are
    published by the record services already."""
    from saas.plugins import hooks

    hooks(workspace=current_workspace()).record_changed(object_key=object_key, record_id=record_id, change=change,
                                                        before=before, after=after)


def declare_webhook_event(app: Flask, name: str, label) -> None:
    """Offer the event `name` (e.g. "deal.won") in the webhook subscription form; call it at start-up."""
    from saas.modules.webhooks.events import register_event

    register_event(app, name, label)


def member_choices() -> list[tuple[int, str]]:
    """(user id, name) of the current workspace's members, by name: for owner pickers."""
    from saas.modules.core.records import reference_choices

    return reference_choices("user")


def member_email(user_id: int | None) -> str | None:
    """The e-mail address of a member of the current workspace, or None (not a member)."""
    from sqlalchemy import select

    from saas.tenants.models import Membership, User

    if user_id is None:
        return None
    return db.session.scalar(select(User.email).join(Membership, Membership.user_id == User.id)
                             .where(User.id == user_id, Membership.tenant_id == current_tenant_id()))


def render_figure(figure, height: int | None = None) -> str:
    """A plotly figure as an HTML fragment for a page (plotly.js itself comes from Orchard, see
    `saas.web.charts`: put `{{ plotly_script() }}` in the page's head block)."""
    from saas.web.charts import render

    return render(figure, height=height)


def serve_charts(app: Flask) -> None:
    """Serve plotly.js from the installed plotly package and offer `plotly_script()` to templates;
    call it in `register_blueprints` if your pages show charts (harmless when called twice)."""
    from saas.web.charts import init_app

    init_app(app)
