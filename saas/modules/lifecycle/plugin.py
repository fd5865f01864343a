"""The lifecycle module as a built-in plugin: its manifest and hook implementations."""
from __future__ import annotations

from flask import Flask

from saas.modules.lifecycle import models  # noqa: F401  (its tables, for the ORM and Alembic)
from saas.plugin_api import WORKSPACE_PREFIX, _l, can, ensure_object_definitions, hookimpl

MANIFEST = {
    "name": "lifecycle",
    "title": _l("Customer lifecycle"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("Lifecycle stages from proven templates, rules that move customers between them on events "
                      "and every night, their history, the lifecycle board, at-risk customers and analytics."),
    "plan": "free",
    "permissions": ["records.read", "records.write", "members.read", "mail.send", "jobs.schedule"],
    "default_enabled": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.plugin_api import declare_webhook_event, serve_charts
    from saas.modules.lifecycle import objects, views

    objects.register(app)
    serve_charts(app)
    app.register_blueprint(views.bp, url_prefix=f"{WORKSPACE_PREFIX}/lifecycle")
    declare_webhook_event(app, "lifecycle.stage_changed", _l("Lifecycle stage changed"))


@hookimpl
def navigation_items(workspace) -> list[dict]:
    items = [{"endpoint": "lifecycle.board", "label": _l("Lifecycle"), "icon": "refresh-cw"},
             {"endpoint": "lifecycle.analytics", "label": _l("Lifecycle analytics"), "icon": "bar-chart"}]
    if can("settings.manage"):
        items.append({"endpoint": "lifecycle.rules", "label": _l("Lifecycle rules"), "icon": "filter"})
    return items


def _set_up() -> None:
    from saas.modules.lifecycle.stages import ensure_stages

    # The contact field definitions first: the stage field's options follow the stages.
    ensure_object_definitions()
    ensure_stages()


@hookimpl
def workspace_created(workspace) -> None:
    _set_up()


@hookimpl
def plugin_enabled(workspace, first_time: bool) -> None:
    _set_up()


@hookimpl(trylast=True)
def demo_data(workspace, rng) -> None:
    # Last: the customers and orders of the other modules' demo data are there by then.
    from saas.modules.lifecycle.demo import fill

    fill(workspace, rng)


@hookimpl
def scheduled_jobs() -> list[dict]:
    from saas.modules.lifecycle.jobs import nightly

    return [{"func": nightly, "cron": "0 2 * * *"}]


@hookimpl
def record_changed(object_key: str, record_id: int, change: str, before, after) -> None:
    from saas.modules.lifecycle.events import on_record_changed

    on_record_changed(object_key, record_id, change, before, after)


@hookimpl
def records_creating(object_key: str, rows: list[dict]) -> None:
    from saas.modules.lifecycle.batch import on_records_creating

    on_records_creating(object_key, rows)


@hookimpl
def records_created(object_key: str, records: list[dict]) -> None:
    from saas.modules.lifecycle.batch import on_records_created

    on_records_created(object_key, records)


@hookimpl
def migrations_folder() -> None:
    return None  # its tables are in the main line (0008_lifecycle)


@hookimpl
def record_panels(object_key: str, record) -> list | None:
    # The customer's path beside the contact's timeline, so it is seen without leaving the record.
    if object_key != "contact":
        return None
    from flask import render_template
    from markupsafe import Markup

    from saas.metadata import lifecycle as definitions
    from saas.modules.lifecycle import history

    return [Markup(render_template("lifecycle/_path.html", path=history.path_of(record.id),
                                   stage_map=definitions.stage_map()))]
