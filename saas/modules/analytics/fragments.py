"""What a widget's fragment shows: its figures and chart, from the cache when they are there, or
why it cannot show them (a field removed since, a bad filter) without ever failing the page."""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import metadata_version
from saas.modules.analytics import cache
from saas.modules.analytics.figures import chart_html
from saas.modules.analytics.models import Widget
from saas.modules.analytics.queries import Scope, run
from saas.modules.analytics.widgets import MissingField, WidgetSpec, missing_field
from saas import plugins
from saas.plugin_api import current_workspace
from saas.tenants.context import current_tenant_id

log = logging.getLogger("saas.analytics")


@dataclass
class WidgetView:
    spec: WidgetSpec
    result: dict[str, Any] | None = None
    chart: str | None = None
    cached: bool = False
    missing: MissingField | None = None
    error: str | None = None


def compute(spec: WidgetSpec, scope: Scope | None) -> dict[str, Any]:
    """The result and the chart HTML of a definition, uncached."""
    result = run(spec, scope)
    return {"result": result, "chart": chart_html(result, spec.chart_type)}


def cache_key(widget: Widget, scope: Scope | None) -> str:
    """The key of a saved widget's result for this scope, language and set of enabled plugins."""
    return cache.key(current_tenant_id(), widget.id, widget.version or 1, metadata_version(),
                     {"s": scope.as_dict() if scope else None, "l": str(get_locale()), "p": _plugins()})


def tile_keys(widget_id: int, board_id: int | None, user_id: int, scope_args: dict) -> tuple[str, str | None]:
    """Keys of a widget's fragment HTML as asked for (alone or on a dashboard, with the page's range)
    in this language: the one every member may be served (the widget alone, or on a shared
    dashboard), and on a dashboard the one of this user alone (their private dashboard's). Which
    one an entry is kept under was decided when the dashboard was checked; any change to the
    dashboard bumps the definitions, so that decision never outlives it."""
    parts = {"b": board_id, "s": scope_args, "l": str(get_locale()), "p": _plugins()}
    shared = cache.fragment_key(current_tenant_id(), f"tile{widget_id}", parts)
    own = cache.fragment_key(current_tenant_id(), f"tile{widget_id}", {**parts, "u": user_id}) if board_id else None
    return shared, own


def _plugins() -> list[str]:
    # A widget kind of a plugin the workspace turns off says so at once rather than showing what
    # was cached. The request already knows the list (the platform checked the route with it).
    return sorted(plugins.enabled_plugins(current_workspace()))


def view(spec: WidgetSpec, scope: Scope | None = None, widget: Widget | None = None) -> WidgetView:
    """A widget's fragment content: cached per (workspace, widget and its version, metadata and data
    versions, scope, language) when `widget` is a saved one; a preview is always computed."""
    out = WidgetView(spec)
    out.missing = missing_field(spec)
    if out.missing is not None:
        return out
    try:
        if widget is None:
            value = compute(spec, scope)
        else:
            value, out.cached = cache.cached(cache_key(widget, scope), lambda: compute(spec, scope))
    except InputError as exc:
        db.session.rollback()
        out.error = next(iter(exc.fields.values()), None) or exc.message
        return out
    except LookupError:
        out.error = _("This kind of widget is not available: its module is off.")
        return out
    out.result, out.chart = value["result"], value["chart"]
    return out


def csv_text(result: dict[str, Any]) -> str:
    """The widget's table as CSV (the trailing link column left out); formulas defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(result.get("columns", []))
    for row in result.get("rows", []):
        writer.writerow([_cell(v) for v in row[:-1]])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value)
    # A label a tenant typed must not run as a spreadsheet formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else value


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
