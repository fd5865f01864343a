"""Customer value as a built-in plugin: RFM segments and buy-till-you-die predictions on the
contact, its page, its nightly job and its lifecycle conditions (manifest and hooks only)."""
from __future__ import annotations

from flask import Flask

from saas.modules.analytics import predictions  # noqa: F401  (its table, for the ORM)
from saas.plugin_api import WORKSPACE_PREFIX, _l, hookimpl

MANIFEST = {
    "name": "customer_value",
    "title": _l("Customer value"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("RFM segments from each customer's orders, and predictions from the BG/NBD and "
                      "Gamma-Gamma models: the chance a customer is still active, purchases expected in "
                      "the next 30, 90 and 365 days, expected order value and predicted lifetime value."),
    "plan": "free",
    "permissions": ["records.read", "records.write", "jobs.schedule"],
    "default_enabled": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.plugin_api import serve_charts
    from saas.modules.analytics import value_views

    serve_charts(app)
    app.register_blueprint(value_views.bp, url_prefix=f"{WORKSPACE_PREFIX}/customer-value")


@hookimpl
def navigation_items(workspace) -> list[dict]:
    return [{"endpoint": "customer_value.index", "label": _l("Customer value"), "icon": "award"}]


@hookimpl
def workspace_created(workspace) -> None:
    # The read-only fields exist from the start, so lists, widgets and rules can name them.
    predictions.ensure_fields()


@hookimpl
def plugin_enabled(workspace, first_time: bool) -> None:
    predictions.ensure_fields()


@hookimpl(trylast=True)
def demo_data(workspace, rng) -> None:
    # Last: the other modules' customers and orders are there by then.
    run = predictions.CustomerValueRun(status="running")
    predictions.db.session.add(run)
    predictions.db.session.flush()
    predictions.compute(run, commit_progress=False)


@hookimpl
def scheduled_jobs() -> list[dict]:
    return [{"func": predictions.nightly_job, "cron": "30 2 * * *"}]


@hookimpl
def lifecycle_conditions(workspace) -> list[dict]:
    from saas.modules.analytics.value_conditions import conditions

    return conditions()


@hookimpl
def migrations_folder() -> None:
    return None  # its table is in the main line (0010_customer_value)
