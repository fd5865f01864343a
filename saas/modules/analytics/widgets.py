"""Report widgets as data: checking a definition, saving it (each change bumps its version, which
invalidates its cached results), and finding the fields it relies on."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.aggregate import BUCKETS, MEASURES, TIME_KINDS, grouping_error, measure_error
from saas.metadata.definitions import Field, field_map
from saas.metadata.objects import object_type, object_types
from saas.metadata.types import OPERATORS, VALUELESS_OPERATORS
from saas.modules.analytics.models import Tile, Widget
from saas.modules.analytics.periods import RANGES, _parse

QUERY = "query"
CHART_TYPES = {
    "kpi": _l("KPI number"),
    "bar": _l("Bar"),
    "stacked_bar": _l("Stacked bar"),
    "line": _l("Line"),
    "area": _l("Area"),
    "pie": _l("Pie / donut"),
    "funnel": _l("Funnel"),
    "table": _l("Table"),
}
MEASURE_LABELS = {"count": _l("Count of records"), "sum": _l("Sum"), "avg": _l("Average"),
                  "min": _l("Minimum"), "max": _l("Maximum")}
BUCKET_LABELS = {"day": _l("Day"), "week": _l("Week"), "month": _l("Month"), "quarter": _l("Quarter"),
                 "year": _l("Year")}
NAME_MAX = 120
SPEC_KEYS = ("name", "kind", "object_key", "measure", "measure_field", "group_by", "group_bucket", "group_by2",
             "group_bucket2", "filters", "date_field", "date_range", "date_from", "date_to", "chart_type",
             "options")


@dataclass
class WidgetSpec:
    """A widget definition as typed in the editor (or stored): checked by `check`."""

    name: str = ""
    kind: str = QUERY
    object_key: str | None = "deal"
    measure: str = "count"
    measure_field: str | None = None
    group_by: str | None = None
    group_bucket: str | None = None
    group_by2: str | None = None
    group_bucket2: str | None = None
    filters: list = field(default_factory=list)
    date_field: str | None = None
    date_range: str = "all"
    date_from: str | None = None
    date_to: str | None = None
    chart_type: str = "bar"
    options: dict = field(default_factory=dict)

    @classmethod
    def of(cls, widget: Widget) -> "WidgetSpec":
        return cls(**{k: getattr(widget, k) for k in SPEC_KEYS})

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in SPEC_KEYS}


class MissingField(Exception):
    """A widget names a field that was removed since (or never existed): shown, never a 500."""

    def __init__(self, key: str, role: str):
        super().__init__(key)
        self.key, self.role = key, role


def groupable_fields(object_key: str) -> list[Field]:
    """Fields records of the object can be grouped by: selects, owner, stage, booleans, references, dates."""
    return [f for f in field_map(object_key).values()
            if f.kind in ("choice", "reference", "bool", *TIME_KINDS) and f.type != "multi_select"]


def number_fields(object_key: str) -> list[Field]:
    """Fields a sum, average, minimum or maximum can measure."""
    return [f for f in field_map(object_key).values() if f.kind == "number"]


def date_fields(object_key: str) -> list[Field]:
    return [f for f in field_map(object_key).values() if f.kind in TIME_KINDS]


def default_date_field(object_key: str) -> str | None:
    fields = field_map(object_key)
    return "created_at" if "created_at" in fields else next((f.key for f in date_fields(object_key)), None)


def widget_kinds() -> dict[str, Any]:
    """The kinds of widget offered in this workspace: the editor's query, then the widget_types hook's."""
    from saas.modules.analytics.types import registered_types

    return {QUERY: _l("Chart of records"), **{k: t["label"] for k, t in registered_types().items()}}


def check(spec: WidgetSpec) -> WidgetSpec:
    """The definition cleaned, or InputError with a message per editor field."""
    errors: dict[str, str] = {}
    spec.name = (spec.name or "").strip()[:NAME_MAX]
    if not spec.name:
        errors["name"] = _("Give the widget a name.")
    kinds = widget_kinds()
    if spec.kind not in kinds:
        errors["kind"] = _("Choose what the widget shows.")
    if spec.date_range not in RANGES:
        errors["date_range"] = _("Choose a date range.")
    elif spec.date_range == "fixed":
        for key in ("date_from", "date_to"):
            try:
                _parse(getattr(spec, key))
            except ValueError:
                errors[key] = _("Enter a date as YYYY-MM-DD.")
        if not spec.date_from and not spec.date_to and "date_from" not in errors:
            errors["date_from"] = _("Give at least one of the dates.")
    else:
        spec.date_from = spec.date_to = None
    if spec.kind != QUERY:
        spec.object_key = spec.measure_field = spec.group_by = spec.group_by2 = None
        spec.chart_type = "custom"
        if errors:
            raise InputError(errors)
        return spec
    if spec.chart_type not in CHART_TYPES:
        errors["chart_type"] = _("Choose a chart type.")
    if not spec.object_key or object_type(spec.object_key) is None:
        errors["object_key"] = _("Choose what kind of records to report on.")
        raise InputError(errors)
    fields = field_map(spec.object_key)
    if spec.measure not in MEASURES:
        errors["measure"] = _("Choose what to measure.")
    elif spec.measure == "count":
        spec.measure_field = None
    else:
        message = measure_error(spec.measure, fields.get(spec.measure_field or ""))
        if message:
            errors["measure_field"] = message
    for n in ("", "2"):
        key, bucket_key = f"group_by{n}", f"group_bucket{n}"
        chosen = getattr(spec, key) or None
        setattr(spec, key, chosen)
        if chosen is None:
            setattr(spec, bucket_key, None)
            continue
        f = fields.get(chosen)
        if f is None:
            errors[key] = _("There is no field “%(key)s”.", key=chosen)
            continue
        if f.kind not in TIME_KINDS:
            setattr(spec, bucket_key, None)
        message = grouping_error(f, getattr(spec, bucket_key))
        if message:
            errors[bucket_key if f.kind in TIME_KINDS else key] = message
    if spec.group_by2 and not spec.group_by:
        errors["group_by2"] = _("Choose the first grouping before a second one.")
    if spec.chart_type == "kpi" and spec.group_by:
        errors["group_by"] = _("A KPI is one number: leave the grouping empty, or choose another chart type.")
    if spec.chart_type in ("bar", "stacked_bar", "line", "area", "pie", "funnel") and not spec.group_by:
        errors["group_by"] = _("This chart needs a grouping.")
    if spec.chart_type in ("pie", "funnel") and spec.group_by2:
        errors["group_by2"] = _("A pie or a funnel has one grouping only.")
    if spec.date_field:
        f = fields.get(spec.date_field)
        if f is None or f.kind not in TIME_KINDS:
            errors["date_field"] = _("Choose a date field.")
    elif spec.date_range != "all" or spec.chart_type == "kpi":
        spec.date_field = default_date_field(spec.object_key)
    spec.filters, filter_errors = _check_filters(fields, spec.filters)
    errors.update(filter_errors)
    if errors:
        raise InputError(errors)
    _try_query(spec)
    return spec


def _check_filters(fields: dict[str, Field], filters: list) -> tuple[list[dict], dict]:
    cleaned, errors = [], {}
    for n, flt in enumerate(filters or []):
        key, op = flt.get("field"), flt.get("op")
        if not key:
            continue
        f = fields.get(key)
        if f is None:
            errors[f"filter-{n}"] = _("There is no field “%(key)s”.", key=key)
        elif op not in f.operators or op not in OPERATORS:
            errors[f"filter-{n}"] = _("This field cannot be filtered that way.")
        else:
            value = None if op in VALUELESS_OPERATORS else flt.get("value")
            cleaned.append({"field": key, "op": op, "value": value})
    return cleaned, errors


def _try_query(spec: WidgetSpec) -> None:
    # Filter values are checked by the query builder itself, the way the list checks them.
    from saas.metadata.query import Filter, build_query

    try:
        build_query(spec.object_key, [Filter(f["field"], f["op"], f["value"]) for f in spec.filters], fields=[])
    except InputError as exc:
        raise InputError({"filters": next(iter(exc.fields.values()), exc.message)}) from None


def referenced_fields(spec: WidgetSpec) -> list[tuple[str, str]]:
    """(field key, role) of every field the widget uses, for the missing-field check."""
    used = [(spec.measure_field, "measure_field"), (spec.group_by, "group_by"), (spec.group_by2, "group_by2"),
            (spec.date_field, "date_field")]
    used += [(f.get("field"), "filters") for f in spec.filters or []]
    return [(key, role) for key, role in used if key]


def missing_field(spec: WidgetSpec) -> MissingField | None:
    """The first field the widget uses that the object no longer has, if any."""
    if spec.kind != QUERY or not spec.object_key:
        return None
    if object_type(spec.object_key) is None:
        return MissingField(spec.object_key, "object_key")
    fields = field_map(spec.object_key)
    for key, role in referenced_fields(spec):
        if key not in fields:
            return MissingField(key, role)
    return None


# --- storing ---------------------------------------------------------------------------------

def get_widget(widget_id: int) -> Widget | None:
    """The widget of the workspace in context, or None."""
    return db.session.scalar(select(Widget).where(Widget.id == widget_id))


def all_widgets() -> list[Widget]:
    return list(db.session.scalars(select(Widget).order_by(Widget.name, Widget.id)))


def save_widget(widget: Widget | None, spec: WidgetSpec, user_id: int | None) -> Widget:
    """Create or change a widget from a checked definition; a change bumps its version."""
    spec = check(spec)
    if widget is None:
        widget = Widget(created_by=user_id, version=1)
        db.session.add(widget)
    else:
        widget.version = (widget.version or 1) + 1
    for key, value in spec.as_dict().items():
        setattr(widget, key, value)
    db.session.flush()
    return widget


def delete_widget(widget: Widget) -> None:
    """Delete a widget and take it off every dashboard."""
    for tile in db.session.scalars(select(Tile).where(Tile.widget_id == widget.id)):
        db.session.delete(tile)
    db.session.delete(widget)
    db.session.flush()


def object_choices() -> list[tuple[str, str]]:
    """(object key, plural label) of the objects a widget can report on."""
    from saas.metadata.i18n import pick

    return [(key, pick(spec.plural_labels) or key) for key, spec in object_types().items()
            if spec.key not in ("pipeline", "stage") and hasattr(spec.model, "custom")]


__all__ = ["CHART_TYPES", "MEASURE_LABELS", "BUCKET_LABELS", "BUCKETS", "WidgetSpec", "MissingField", "check",
           "save_widget", "delete_widget", "get_widget", "all_widgets", "missing_field"]
