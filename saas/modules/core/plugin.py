"""Hook implementations of the core module (see saas/plugins.py for the hook specifications)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.metadata import models as metadata_models  # noqa: F401  (so Alembic sees the tables)
from saas.modules.core import database  # noqa: F401  (foreign keys on for SQLite)
from saas.modules.core import models  # noqa: F401
from saas.plugins import hookimpl

MANIFEST = {
    "name": "core",
    "title": _l("Records"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("Contacts, companies, orders and activities, with custom fields and saved views."),
    "plan": "free",
    "always_on": True,
}


@hookimpl
def register_blueprints(app) -> None:
    from saas.modules.billing.limits import register_usage_counter
    from saas.modules.core import objects
    from saas.modules.core.records import count_plan_records
    from saas.modules.core.views import register

    objects.register(app)
    register(app)
    register_usage_counter(app, "records", count_plan_records)


@hookimpl
def navigation_items(workspace) -> list[dict]:
    from saas.tenants.request import can

    items = [
        {"endpoint": "contacts.index", "label": _l("Contacts"), "icon": "user"},
        {"endpoint": "companies.index", "label": _l("Companies"), "icon": "building"},
        {"endpoint": "orders.index", "label": _l("Orders"), "icon": "receipt"},
        {"endpoint": "activities.index", "label": _l("Activities"), "icon": "calendar"},
        {"endpoint": "search.index", "label": _l("Search"), "icon": "search"},
    ]
    if can("settings.manage"):
        items.append({"endpoint": "studio.index", "label": _l("Fields"), "icon": "sliders"})
    return items


@hookimpl
def workspace_created(workspace) -> None:
    from saas.metadata.definitions import ensure_definitions

    ensure_definitions()


@hookimpl
def demo_data(workspace, rng) -> None:
    from saas.modules.core.demo import fill

    fill(workspace, rng)
