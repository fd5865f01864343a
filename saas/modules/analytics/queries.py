"""Running a widget: its definition (plus a dashboard's date range and filter) becomes an
aggregation through the metadata layer's aggregation builder, and the result a JSON-able dict
that the charts, the table view and the CSV export all read.

    result = run(spec, Scope(date_range="this_quarter"))
    result["categories"], result["series"][0]["values"], result["columns"], result["rows"]
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from saas.metadata.aggregate import TIME_KINDS, Grouping, aggregate, bucket_start, next_bucket
from saas.metadata.definitions import Field, field_map, object_label
from saas.metadata.objects import object_type
from saas.metadata.query import Filter
from saas.modules.analytics.periods import Period, resolve
from saas.modules.analytics.widgets import MEASURE_LABELS, QUERY, WidgetSpec, default_date_field

MAX_FILLED_BUCKETS = 400
EMPTY = object()


@dataclass(frozen=True)
class Scope:
    """What the dashboard adds to each of its widgets: a date range and filters."""

    date_range: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    filters: tuple = field(default_factory=tuple)     # ({"field", "op", "value"}, ...)

    def as_dict(self) -> dict:
        return {"r": self.date_range, "f": self.date_from, "t": self.date_to, "x": list(self.filters)}


def period_of(spec: WidgetSpec, scope: Scope | None) -> Period:
    """The dates the widget covers: the dashboard's range when it sets one, else the widget's."""
    if scope is not None and scope.date_range:
        return resolve(scope.date_range, scope.date_from, scope.date_to)
    return resolve(spec.date_range, spec.date_from, spec.date_to)


def run(spec: WidgetSpec, scope: Scope | None = None) -> dict[str, Any]:
    """The widget's figures as a dict (see the module docstring); InputError for bad definitions."""
    period = period_of(spec, scope)
    if spec.kind != QUERY:
        return _run_type(spec, period)
    fields = field_map(spec.object_key)
    filters = [Filter(f["field"], f["op"], f.get("value")) for f in spec.filters]
    ignored = []
    for f in (scope.filters if scope else ()):
        if f.get("field") in fields and f.get("op") in fields[f["field"]].operators:
            filters.append(Filter(f["field"], f["op"], f.get("value")))
        elif f.get("field"):
            ignored.append(f["field"])
    measured = fields.get(spec.measure_field) if spec.measure_field else None
    unit = _measure_label(spec, measured)
    result: dict[str, Any] = {"kind": "kpi" if spec.chart_type == "kpi" else "series", "unit": unit,
                              "object": object_label(spec.object_key, plural=True), "ignored": ignored,
                              "period": [d.isoformat() if d else None for d in (period.start, period.end)]}
    # A dashboard's range applies to widgets without a date field of their own by creation date.
    date_field = fields.get(spec.date_field or default_date_field(spec.object_key) or "")

    def with_period(p: Period | None) -> list[Filter]:
        if date_field is None or p is None or (p.start is None and p.end is None):
            return list(filters)
        return [*filters, Filter(date_field.key, "between", p.as_filter_value())]

    if spec.chart_type == "kpi":
        return _kpi(spec, result, with_period(period), with_period(period.previous()) if date_field else None)

    groups = [Grouping(spec.group_by, spec.group_bucket)]
    if spec.group_by2:
        groups.append(Grouping(spec.group_by2, spec.group_bucket2))
    current = with_period(period)
    rows = aggregate(spec.object_key, spec.measure, spec.measure_field, groups, current)
    first, second = fields[spec.group_by], fields.get(spec.group_by2) if spec.group_by2 else None
    span = period if (date_field is not None and date_field.key == first.key) else None
    cats = _ordered_keys(first, spec.group_bucket, [r.keys[0] for r in rows], span)
    series_keys = _ordered_keys(second, spec.group_bucket2, [r.keys[1] for r in rows], None) if second else [EMPTY]
    labels1, labels2 = _labels(first, spec.group_bucket, cats), (_labels(second, spec.group_bucket2, series_keys)
                                                                 if second else [unit])
    values = {tuple(r.keys): r.value for r in rows}
    blank = 0 if spec.measure in ("count", "sum") else None
    series = []
    for s_key, s_label in zip(series_keys, labels2):
        vals, links = [], []
        for c_key in cats:
            key = (c_key,) if s_key is EMPTY else (c_key, s_key)
            vals.append(values.get(key, blank))
            extra = _group_filters(first, spec.group_bucket, c_key)
            if s_key is not EMPTY:
                extra += _group_filters(second, spec.group_bucket2, s_key)
            links.append(list_url(spec.object_key, current + extra))
        series.append({"name": s_label, "values": vals, "links": links})
    result.update(categories=labels1, series=series, group_label=first.label(),
                  series_label=second.label() if second else None)
    result["columns"] = [first.label(), *([second.label()] if second else []), unit]
    result["rows"] = [[c, *([s["name"]] if second else []), v, s["links"][i]]
                      for s in series for i, (c, v) in enumerate(zip(labels1, s["values"]))]
    return result


def _kpi(spec: WidgetSpec, result: dict, current: list[Filter], previous: list[Filter] | None) -> dict:
    value = _single(spec, current)
    before = _single(spec, previous) if previous is not None else None
    change = None
    if before not in (None, 0) and value is not None:
        change = round(100 * (value - before) / abs(before), 1)
    link = list_url(spec.object_key, current)
    result.update(value=value, previous=before, change=change, link=link,
                  columns=[result["unit"], _("Previous period"), _("Change (%)")],
                  rows=[[value, before, change, link]])
    return result


def _single(spec: WidgetSpec, filters: list[Filter]) -> float | None:
    rows = aggregate(spec.object_key, spec.measure, spec.measure_field, (), filters)
    return rows[0].value if rows else None


def _measure_label(spec: WidgetSpec, measured: Field | None) -> str:
    if spec.measure == "count":
        return str(MEASURE_LABELS["count"])
    return f"{MEASURE_LABELS[spec.measure]} · {measured.label() if measured else spec.measure_field}"


# --- keys, labels and links ----------------------------------------------------------------------

def _ordered_keys(f: Field, bucket: str | None, keys: list, span: Period | None) -> list:
    present = list(dict.fromkeys(keys))
    has_empty = None in present
    present = [k for k in present if k is not None]
    if f.kind in TIME_KINDS:
        ordered = sorted(present)
        if ordered or (span and span.bounded):
            start = bucket_start(span.start, bucket) if span and span.start else (ordered[0] if ordered else None)
            end = span.end if span and span.end else (ordered[-1] if ordered else None)
            if start and end:
                filled, day = [], start
                while day <= end and len(filled) < MAX_FILLED_BUCKETS:
                    filled.append(day)
                    day = next_bucket(day, bucket)
                ordered = sorted(set(filled) | set(ordered))
    elif f.kind == "choice":
        order = {v: n for n, v in enumerate(f.option_values)}
        ordered = sorted(present, key=lambda k: (order.get(k, len(order)), str(k)))
    elif f.kind == "reference" and f.reference_object == "stage":
        order = _stage_order()
        ordered = sorted(present, key=lambda k: (order.get(k, (9999, 9999)), k))
    elif f.kind == "reference":
        names = _reference_names(f, present)
        ordered = sorted(present, key=lambda k: (names.get(k, ""), k))
    else:
        ordered = sorted(present, key=lambda k: (str(k)))
    return ordered + ([None] if has_empty else [])


def _stage_order() -> dict[int, tuple[int, int]]:
    from saas.metadata import pipelines

    order = {}
    for p_index, pipeline in enumerate(pipelines.pipelines("deal")):
        for s_index, stage in enumerate(pipeline.stages):
            order[stage.id] = (p_index, s_index)
    return order


def _reference_names(f: Field, keys: list) -> dict:
    if f.reference_object == "stage":
        from saas.metadata import pipelines

        stages = {s.id: s for p in pipelines.pipelines("deal") for s in p.stages}
        return {k: stages[k].label() for k in keys if k in stages}
    from saas.modules.core.records import reference_labels

    return reference_labels(f.reference_object, keys)


def bucket_label(day: date, bucket: str | None) -> str:
    """A bucket as people write it: 2026-03-02 (day, week), 2026-03, 2026 Q1, 2026."""
    if bucket == "month":
        return f"{day:%Y-%m}"
    if bucket == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    if bucket == "year":
        return str(day.year)
    return day.isoformat()


def _labels(f: Field, bucket: str | None, keys: list) -> list[str]:
    names = _reference_names(f, keys) if f.kind == "reference" else {}
    out = []
    for key in keys:
        if key is None:
            out.append(_("(empty)"))
        elif f.kind in TIME_KINDS:
            out.append(bucket_label(key, bucket))
        elif f.kind == "choice":
            out.append(f.option_label(key))
        elif f.kind == "bool":
            out.append(_("Yes") if key in (True, 1, "1", "true") else _("No"))
        elif f.kind == "reference":
            out.append(names.get(key) or f"#{key}")
        else:
            out.append(str(key))
    return out


def _group_filters(f: Field, bucket: str | None, key: Any) -> list[Filter]:
    if key is None:
        return [Filter(f.key, "empty")]
    if f.kind in TIME_KINDS:
        last = next_bucket(key, bucket).toordinal() - 1
        return [Filter(f.key, "between", [key.isoformat(), date.fromordinal(last).isoformat()])]
    if f.kind == "bool":
        return [Filter(f.key, "eq", "true" if key in (True, 1) else "false")]
    return [Filter(f.key, "eq", key)]


def list_url(object_key: str, filters: list[Filter]) -> str | None:
    """The record list of the object with these filters in its address (the records behind a figure)."""
    spec = object_type(object_key)
    if spec is None or not spec.endpoint:
        return None
    ff, fo, fv = [], [], []
    for flt in filters:
        value = flt.value
        if isinstance(value, (list, tuple)):
            value = ",".join("" if v is None else str(v) for v in value)
        ff.append(flt.field)
        fo.append(flt.op)
        fv.append("" if value is None else str(value))
    try:
        return url_for(f"{spec.endpoint}.index", ff=ff, fo=fo, fv=fv)
    except Exception:  # noqa: BLE001  (an object without list pages: no link, still a figure)
        return None


def _run_type(spec: WidgetSpec, period: Period) -> dict[str, Any]:
    from saas.modules.analytics.types import registered_types

    widget_type = registered_types().get(spec.kind)
    if widget_type is None:
        raise LookupError(spec.kind)
    out = widget_type["compute"](dict(spec.options or {}), period)
    figure = out.get("figure")
    rows = [list(r) for r in out.get("rows", [])]
    links = list(out.get("links") or [None] * len(rows))
    return {"kind": "custom", "columns": [str(c) for c in out.get("columns", [])],
            "rows": [[*r, links[n] if n < len(links) else None] for n, r in enumerate(rows)],
            "figure": json.loads(figure.to_json()) if figure is not None else None, "note": out.get("note"),
            "period": [d.isoformat() if d else None for d in (period.start, period.end)]}
