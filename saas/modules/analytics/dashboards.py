"""Dashboards: several per workspace, private to their author or shared; their tiles (which widget,
where, how big); their date range and filter."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from saas.errors import InputError
from saas.extensions import db
from saas.modules.analytics.models import Dashboard, Tile, Widget
from saas.modules.analytics.periods import RANGES, _parse
from saas.modules.analytics.queries import Scope

WIDTHS = (3, 4, 6, 8, 12)        # columns of the 12-column grid
MAX_WIDTH, MAX_HEIGHT = 12, 3


def visible_dashboards(user_id: int) -> list[Dashboard]:
    """The dashboards the user may open: their own and the shared ones."""
    return list(db.session.scalars(
        select(Dashboard).where(or_(Dashboard.user_id == user_id, Dashboard.shared.is_(True)))
        .order_by(Dashboard.position, Dashboard.id)))


def get_dashboard(dashboard_id: int, user_id: int) -> Dashboard | None:
    """A dashboard the user may open, or None (another's private one, another workspace's: None)."""
    return db.session.scalar(select(Dashboard).where(
        Dashboard.id == dashboard_id, or_(Dashboard.user_id == user_id, Dashboard.shared.is_(True))))


def may_change(dashboard: Dashboard, user_id: int, may_manage: bool) -> bool:
    """Its author changes a dashboard; a shared one also the workspace's admins."""
    return dashboard.user_id == user_id or (dashboard.shared and may_manage)


def save_dashboard(dashboard: Dashboard | None, name: str, shared: bool, user_id: int) -> Dashboard:
    """Create or rename a dashboard and set whether it is shared."""
    name = (name or "").strip()[:120]
    if not name:
        raise InputError({"name": _("Give the dashboard a name.")})
    if dashboard is None:
        position = (db.session.scalar(select(func.max(Dashboard.position))) or 0) + 1
        dashboard = Dashboard(user_id=user_id, position=position, filters=[])
        db.session.add(dashboard)
    dashboard.name, dashboard.shared = name, bool(shared)
    db.session.flush()
    return dashboard


def set_scope(dashboard: Dashboard, date_range: str | None, date_from: str | None, date_to: str | None,
              filters: list[dict]) -> None:
    """Keep the dashboard-wide date range and filter (checked like a widget's)."""
    errors = {}
    date_range = date_range or None
    if date_range is not None and date_range not in RANGES:
        errors["date_range"] = _("Choose a date range.")
    if date_range == "fixed":
        for key, value in (("date_from", date_from), ("date_to", date_to)):
            try:
                _parse(value)
            except ValueError:
                errors[key] = _("Enter a date as YYYY-MM-DD.")
    if errors:
        raise InputError(errors)
    dashboard.date_range = date_range
    dashboard.date_from = date_from or None if date_range == "fixed" else None
    dashboard.date_to = date_to or None if date_range == "fixed" else None
    dashboard.filters = [f for f in filters if f.get("field") and f.get("op")]
    db.session.flush()


def scope_of(dashboard: Dashboard | None, args=None) -> Scope:
    """The dashboard's date range and filter, overridden by the page's address when it sets them."""
    args = args or {}
    date_range = args.get("range") if args.get("range") is not None else (dashboard.date_range if dashboard else None)
    date_from = args.get("from") or (dashboard.date_from if dashboard else None)
    date_to = args.get("to") or (dashboard.date_to if dashboard else None)
    filters = list(dashboard.filters or []) if dashboard else []
    if date_range and date_range not in RANGES:
        date_range = None
    return Scope(date_range or None, date_from, date_to, tuple(filters))


def tiles(dashboard: Dashboard) -> list[tuple[Tile, Widget]]:
    """The dashboard's tiles with their widgets, in grid order."""
    return list(db.session.execute(
        select(Tile, Widget).join(Widget, (Widget.id == Tile.widget_id) & (Widget.tenant_id == Tile.tenant_id))
        .where(Tile.dashboard_id == dashboard.id).order_by(Tile.position, Tile.id)).tuples())


def add_tile(dashboard: Dashboard, widget: Widget, width: int = 6, height: int = 1) -> Tile:
    """Put a widget on the dashboard, at the end."""
    position = (db.session.scalar(select(func.max(Tile.position)).where(Tile.dashboard_id == dashboard.id)) or 0) + 1
    tile = Tile(dashboard_id=dashboard.id, widget_id=widget.id, position=position,
                width=_clamp(width, 3, MAX_WIDTH), height=_clamp(height, 1, MAX_HEIGHT))
    db.session.add(tile)
    db.session.flush()
    return tile


def get_tile(dashboard: Dashboard, tile_id: int) -> Tile | None:
    return db.session.scalar(select(Tile).where(Tile.id == tile_id, Tile.dashboard_id == dashboard.id))


def remove_tile(tile: Tile) -> None:
    db.session.delete(tile)
    db.session.flush()


def save_layout(dashboard: Dashboard, layout: list[dict]) -> None:
    """Apply the grid as arranged in the browser: `[{"id", "w", "h"}]` in order; unknown ids are ignored."""
    by_id = {tile.id: tile for tile, _widget in tiles(dashboard)}
    for position, item in enumerate(layout, start=1):
        try:
            tile = by_id.get(int(item.get("id")))
        except (TypeError, ValueError):
            tile = None
        if tile is None:
            continue
        tile.position = position
        tile.width = _clamp(item.get("w"), 3, MAX_WIDTH, tile.width)
        tile.height = _clamp(item.get("h"), 1, MAX_HEIGHT, tile.height)
    db.session.flush()


def _clamp(value, low: int, high: int, default: int | None = None) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default if default is not None else low


def delete_dashboard(dashboard: Dashboard) -> None:
    for tile, _widget in tiles(dashboard):
        db.session.delete(tile)
    db.session.delete(dashboard)
    db.session.flush()
