"""The sales module as a built-in plugin, written only against the public plugin API
(saas.plugin_api): its manifest and hook implementations."""
from __future__ import annotations

from flask import Flask

from saas.plugin_api import WORKSPACE_PREFIX, _l, can, ensure_object_definitions, hookimpl, pipelines
from saas.modules.sales import models  # noqa: F401  (its tables, for the ORM)

MANIFEST = {
    "name": "sales",
    "title": _l("Sales"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("Pipelines and stages, deals on a kanban board, leads with assignment rules and "
                      "conversion, tasks with reminders, and a forecast against your targets."),
    "plan": "free",
    "permissions": ["records.read", "records.write", "members.read", "mail.send", "jobs.schedule"],
    "default_enabled": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.plugin_api import declare_webhook_event, record_pages, serve_charts
    from saas.modules.sales import objects, studio, views

    objects.register(app)
    serve_charts(app)
    app.register_blueprint(views.bp, url_prefix=f"{WORKSPACE_PREFIX}/sales")
    app.register_blueprint(record_pages(objects.DEAL), url_prefix=f"{WORKSPACE_PREFIX}/deals")
    app.register_blueprint(record_pages(objects.LEAD), url_prefix=f"{WORKSPACE_PREFIX}/leads")
    app.register_blueprint(studio.bp, url_prefix=f"{WORKSPACE_PREFIX}/settings/pipelines")
    app.register_blueprint(studio.stages_bp, url_prefix=f"{WORKSPACE_PREFIX}/stages")
    declare_webhook_event(app, "deal.won", _l("Deal won"))
    declare_webhook_event(app, "deal.lost", _l("Deal lost"))


@hookimpl
def navigation_items(workspace) -> list[dict]:
    items = [
        {"endpoint": "sales.board_default", "label": _l("Deals"), "icon": "columns"},
        {"endpoint": "sales.leads", "label": _l("Leads"), "icon": "inbox"},
        {"endpoint": "sales.forecast", "label": _l("Forecast"), "icon": "trending-up"},
    ]
    if can("settings.manage"):
        items.append({"endpoint": "pipelines.index", "label": _l("Pipelines"), "icon": "git-branch"})
    return items


def _set_up() -> None:
    # The deal, lead, pipeline and stage definitions, and the default pipeline (both idempotent).
    ensure_object_definitions()
    pipelines.ensure_default_pipeline("deal")


@hookimpl
def workspace_created(workspace) -> None:
    _set_up()


@hookimpl
def plugin_enabled(workspace, first_time: bool) -> None:
    _set_up()


@hookimpl
def demo_data(workspace, rng) -> None:
    from saas.modules.sales.demo import fill

    fill(workspace, rng)


@hookimpl
def scheduled_jobs() -> list[dict]:
    from saas.modules.sales.tasks import reminder_job

    return [{"func": reminder_job, "cron": "0 7 * * *"}]


@hookimpl
def record_changed(object_key: str, record_id: int, change: str, before, after) -> None:
    from saas.modules.sales import deals, leads

    if object_key == "lead" and change == "created":
        leads.on_lead_created(record_id)
    else:
        deals.on_record_changed(object_key, record_id, change, before, after)


@hookimpl
def records_created(object_key: str, records: list[dict]) -> None:
    # Only a new lead asks something of the sales module (its assignment); deals react to changes.
    from saas.modules.sales import leads

    if object_key == "lead":
        for record in records:
            leads.on_lead_created(record["id"])


@hookimpl
def migrations_folder() -> None:
    return None  # its tables are in the main line (0007_sales)
