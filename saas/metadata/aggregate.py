"""Aggregations over any object, built on the one query builder (saas.metadata.query).

    rows = aggregate("deal", "sum", "amount", groups=[Grouping("region"), Grouping("created_at", "month")],
                     filters=[Filter("stage", "in", [3, 4])])
    # [AggregateRow(keys=("north", date(2026, 1, 1)), value=12800.0), ...]

The filtered statement comes from `build_query` (tenant condition, typed field expressions, the
filter operators of the list view); this module only swaps its columns for the group
expressions and the measure and adds GROUP BY, so a widget and the list behind it always agree.
Date groups are cut into buckets in SQL (PostgreSQL `date_trunc`, SQLite date functions, in UTC)
and come back as the `date` the bucket starts on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Iterable

from flask_babel import gettext as _
from sqlalchemy import TIMESTAMP, Integer, cast, func, literal_column

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import Field
from saas.metadata.query import Filter, _custom_path, build_query, dialect, field_expression

MEASURES = ("count", "sum", "avg", "min", "max")
BUCKETS = ("day", "week", "month", "quarter", "year")
# The kinds a record can be grouped by as they are; dates and times need a bucket.
GROUPABLE_KINDS = ("choice", "reference", "bool")
TIME_KINDS = ("date", "datetime")


@dataclass(frozen=True)
class Grouping:
    """Group by the field `field`; a date or datetime field needs a `bucket` (see BUCKETS)."""

    field: str
    bucket: str | None = None


@dataclass(frozen=True)
class AggregateRow:
    keys: tuple            # one value per grouping: the raw value, or the bucket's first day
    value: float | None


def measure_error(measure: str, f: Field | None) -> str | None:
    """Why `measure` cannot apply to the field `f` (None when it can)."""
    if measure not in MEASURES:
        return _("Choose what to measure.")
    if measure == "count":
        return None
    if f is None:
        return _("Choose the number field to measure.")
    if f.kind != "number":
        return _("“%(field)s” is not a number: it can be counted, not summed or averaged.", field=f.label())
    return None


def grouping_error(f: Field, bucket: str | None) -> str | None:
    """Why records cannot be grouped by `f` with `bucket` (None when they can)."""
    if f.kind in TIME_KINDS:
        if bucket not in BUCKETS:
            return _("Choose how to bucket the dates: day, week, month, quarter or year.")
        return None
    if f.kind not in GROUPABLE_KINDS:
        return _("“%(field)s” cannot be grouped by: choose a select, an owner, a stage or a date.", field=f.label())
    return None


def bucket_start(day: date, bucket: str) -> date:
    """The first day of the bucket `day` falls in (weeks start on Monday)."""
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    if bucket == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def next_bucket(start: date, bucket: str) -> date:
    """The first day of the bucket after the one starting on `start`."""
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[bucket]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _time_value(model, f: Field, pg: bool):
    """A date or datetime field as a UTC timestamp (PostgreSQL) or ISO text (SQLite)."""
    if f.column is not None:
        column = getattr(model, f.column)
        if pg and f.kind == "datetime":
            return func.timezone("UTC", column)
        return column
    raw = _custom_path(model, f.key, pg)
    if not pg:
        return raw
    if f.kind == "datetime":
        return func.timezone("UTC", cast(raw, TIMESTAMP(timezone=True)))
    return cast(raw, TIMESTAMP())


def bucket_expression(model, f: Field, bucket: str, pg: bool | None = None):
    """The SQL expression of the bucket a record's date falls in."""
    pg = dialect() == "postgresql" if pg is None else pg
    value = _time_value(model, f, pg)
    if pg:
        return func.date_trunc(bucket, value)
    if bucket == "day":
        return func.date(value)
    if bucket == "week":
        return func.date(value, "weekday 0", "-6 days")
    if bucket == "month":
        return func.strftime("%Y-%m-01", value)
    if bucket == "year":
        return func.strftime("%Y-01-01", value)
    month = cast(func.strftime("%m", value), Integer)
    return func.printf("%s-%02d-01", func.strftime("%Y", value), (month - 1) // 3 * 3 + 1)


def _as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def aggregate(object_key: str, measure: str, measure_field: str | None = None,
              groups: Iterable[Grouping] = (), filters: Iterable[Filter] = ()) -> list[AggregateRow]:
    """`measure` (count, sum, avg, min, max) of `measure_field` over the object's records in the
    workspace in context that pass `filters`, per combination of the `groups`.

    Bad fields, measures, groupings or filter values raise InputError naming the field."""
    q = build_query(object_key, filters, fields=[])
    model, pg = q.spec.model, dialect() == "postgresql"
    measured = None
    if measure != "count":
        measured = q.fields.get(measure_field or "")
        if measured is None:
            raise InputError({"measure_field": _("There is no field “%(key)s”.", key=measure_field or "")},
                             code="unknown_field", status=400)
    error = measure_error(measure, measured)
    if error:
        raise InputError({"measure_field" if measure in MEASURES else "measure": error}, code="bad_measure")
    groups = list(groups)
    columns, buckets = [], []
    for n, grouping in enumerate(groups):
        f = q.fields.get(grouping.field)
        if f is None:
            raise InputError({grouping.field: _("There is no field “%(key)s”.", key=grouping.field)},
                             code="unknown_field", status=400)
        error = grouping_error(f, grouping.bucket)
        if error:
            raise InputError({grouping.field: error}, code="bad_grouping")
        expr = bucket_expression(model, f, grouping.bucket, pg) if f.kind in TIME_KINDS \
            else field_expression(model, f, pg)
        columns.append(expr.label(f"g{n}"))
        buckets.append(f.kind in TIME_KINDS)
    value = func.count() if measured is None else getattr(func, measure)(field_expression(model, measured, pg))
    statement = q.statement.with_only_columns(*columns, value.label("value"))
    if columns:
        # By position: the bucket expressions carry bound parameters, which PostgreSQL would
        # not recognise as the same expression in GROUP BY.
        statement = statement.group_by(*[literal_column(str(n + 1)) for n in range(len(columns))])
    rows = []
    for row in db.session.execute(statement):
        keys = tuple(_as_date(row[n]) if buckets[n] else row[n] for n in range(len(columns)))
        rows.append(AggregateRow(keys, _number(row[-1])))
    return rows
