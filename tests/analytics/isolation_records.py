"""Isolation-walk factories for the analytics module (see tests/isolation.py)."""
from __future__ import annotations

from saas.extensions import db
from saas.modules.analytics import dashboards
from saas.modules.analytics.models import Dashboard, Tile, Widget
from tests.analytics import helpers
from tests.tenants.isolation_records import _state


def widget(tenant):
    row = helpers.widget(name=f"Deals of {tenant.slug}", group_by="stage")
    return row.id, _state(Widget, row.id)


def dashboard(tenant):
    row = helpers.dashboard(tenant, f"Board of {tenant.slug}", shared=True)
    return row.id, _state(Dashboard, row.id)


def tile(tenant):
    board = helpers.dashboard(tenant, f"Tiles of {tenant.slug}", shared=True)
    row = dashboards.add_tile(board, helpers.widget(name="Tile widget", group_by="stage"))
    db.session.commit()
    return row.id, _state(Tile, row.id)


RECORD_FACTORIES = {
    "widget_id": widget,
    "dashboard_id": dashboard,
    "tile_id": tile,
}
