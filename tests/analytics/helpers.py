"""Helpers for the analytics tests: deals with a custom select, widgets, dashboards."""
from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, g

from saas.extensions import db
from saas.metadata import definitions
from saas.modules.analytics import dashboards
from saas.modules.analytics.widgets import WidgetSpec, save_widget
from saas.tenants.context import tenant_context
from tests.sales import helpers as sales

REGIONS = ["north", "south", "east"]


def region_field() -> None:
    """A custom single select "region" on deals."""
    if "region" not in definitions.field_map("deal"):
        definitions.add_field("deal", labels={"en": "Region"}, type="single_select", key="region",
                              options="north\nsouth\neast")
        db.session.commit()


def deal(name: str, amount: str, region: str | None = None, stage: str = "Qualification", **extra):
    data = {"region": region} if region else {}
    return sales.deal(name, amount, stage=stage, **data, **extra)


def widget(commit: bool = True, **spec):
    row = save_widget(None, WidgetSpec(**{"name": "Deals", "object_key": "deal", **spec}), None)
    if commit:
        db.session.commit()
    return row


def dashboard(tenant, name: str = "Mine", shared: bool = False):
    row = dashboards.save_dashboard(None, name, shared, tenant.owner.id)
    db.session.commit()
    return row


@contextmanager
def inside(tenant):
    """A request of the tenant's workspace (links need its address) within its tenant context."""
    with current_app.test_request_context(f"/w/{tenant.slug}/analytics/"), tenant_context(tenant.id):
        g.workspace = tenant.workspace
        yield


def remove_field(object_key: str, key: str) -> None:
    """What the field studio's removal does at once (hidden, gone from the definitions); the purge
    of its values is a job of its own, not needed here."""
    from datetime import datetime, timezone

    row = definitions.get_field_row(definitions.field_map(object_key)[key].id)
    row.removed_at, row.hidden = datetime.now(timezone.utc), True
    definitions.bump_version()
    db.session.commit()
