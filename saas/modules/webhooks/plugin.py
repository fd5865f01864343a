"""The webhooks module as a built-in, always-on plugin: the settings page, the record events,
the scheduled retry of failed deliveries."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from saas.modules.webhooks import models  # noqa: F401  (the webhooks tables)
from saas.plugins import hookimpl

MANIFEST = {
    "name": "webhooks",
    "title": _l("Webhooks"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("Send the workspace's record events to other systems, signed, with retries."),
    "plan": "free",
    "always_on": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.modules.webhooks.views import bp
    from saas.tenants.request import WORKSPACE_PREFIX

    app.register_blueprint(bp, url_prefix=f"{WORKSPACE_PREFIX}/settings/webhooks")


@hookimpl
def navigation_items(workspace) -> list[dict]:
    from saas.tenants.request import can

    return [{"endpoint": "webhooks.index", "label": _l("Webhooks"), "icon": "send"}] if can("settings.manage") else []


@hookimpl
def record_changed(object_key: str, record_id: int, change: str, before, after) -> None:
    from saas.modules.webhooks.services import record_event

    record_event(object_key, record_id, change, before, after)


@hookimpl
def records_created(object_key: str, records: list[dict]) -> None:
    from saas.modules.webhooks.services import records_created_events

    records_created_events(object_key, records)


@hookimpl
def scheduled_jobs() -> list[dict]:
    from saas.modules.webhooks.services import retry_due

    return [{"func": retry_due, "interval": 60}]
