"""The analytics module as a built-in plugin: its manifest and hook implementations (report
widgets, dashboards, funnels and cohorts; the customer-value part registers on its own)."""
from __future__ import annotations

from flask import Flask

from saas.modules.analytics import models  # noqa: F401  (its tables, for the ORM and Alembic)
from saas.plugin_api import WORKSPACE_PREFIX, _l, hookimpl

MANIFEST = {
    "name": "analytics",
    "title": _l("Reports and dashboards"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("Report widgets over any records, dashboards you arrange yourself, pipeline and "
                      "lifecycle funnels, and monthly cohort retention."),
    "plan": "free",
    "permissions": ["records.read", "members.read"],
    "default_enabled": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.plugin_api import serve_charts
    from saas.modules.analytics import views

    serve_charts(app)
    app.register_blueprint(views.bp, url_prefix=f"{WORKSPACE_PREFIX}/analytics")


@hookimpl
def navigation_items(workspace) -> list[dict]:
    return [{"endpoint": "analytics.dashboards", "label": _l("Dashboards"), "icon": "layout"},
            {"endpoint": "analytics.widgets", "label": _l("Reports"), "icon": "bar-chart-2"}]


@hookimpl(trylast=True)
def workspace_created(workspace) -> None:
    # Last: the pipelines and lifecycle stages the default widgets filter on exist by then.
    from saas.modules.analytics.defaults import ensure_default_dashboards

    ensure_default_dashboards()


@hookimpl
def plugin_enabled(workspace, first_time: bool) -> None:
    if first_time:
        from saas.modules.analytics.defaults import ensure_default_dashboards

        ensure_default_dashboards()


@hookimpl(trylast=True)
def demo_data(workspace, rng) -> None:
    from saas.modules.analytics.defaults import add_rfm_widget, ensure_default_dashboards

    ensure_default_dashboards()
    add_rfm_widget()


@hookimpl
def record_changed(workspace, object_key: str, record_id: int, change: str, before, after) -> None:
    # Every cached widget result of the workspace misses once this transaction commits.
    from saas.extensions import db
    from saas.modules.analytics.cache import mark_changed

    mark_changed(db.session(), workspace.id)


@hookimpl
def records_created(workspace, object_key: str, records: list[dict]) -> None:
    from saas.extensions import db
    from saas.modules.analytics.cache import mark_changed

    mark_changed(db.session(), workspace.id)


@hookimpl
def widget_types(workspace) -> list[dict]:
    from saas.modules.analytics import cohorts, funnel

    return [
        {"key": "pipeline_funnel", "label": _l("Pipeline funnel"), "compute": funnel.pipeline_funnel},
        {"key": "lifecycle_funnel", "label": _l("Lifecycle funnel"), "compute": funnel.lifecycle_funnel},
        {"key": "cohort_retention", "label": _l("Monthly cohort retention"), "compute": cohorts.retention},
        {"key": "new_and_churned", "label": _l("New and churned customers by month"),
         "compute": cohorts.new_and_churned},
    ]


@hookimpl
def migrations_folder() -> None:
    return None  # its tables are in the main line (0009_analytics)
