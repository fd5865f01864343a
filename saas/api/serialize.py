"""Records as JSON: standard and custom fields side by side, by field key, plus "id"."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import Boolean, Integer, String

from saas.metadata.definitions import Field, field_map
from saas.metadata.query import dialect, value_reader


_AS_IS = (str, int, float, bool, type(None))


def to_json(value: Any) -> Any:
    """A field value as JSON: times in UTC ISO 8601, dates ISO, amounts as numbers."""
    if type(value) in _AS_IS:            # most values: nothing to do, and this runs per cell
        return value
    if isinstance(value, datetime):
        # SQLite hands back naive datetimes for timezone-aware columns: they are stored in UTC.
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def row_json(row: dict) -> dict:
    """A query-builder row ({"id", key: value}) as JSON."""
    return {key: to_json(value) for key, value in row.items()}


def json_rows(q, fetched: list) -> list[dict]:
    """A page's fetched rows straight to JSON rows: the same as row_json() over the query builder's
    rows, with each field's conversion chosen once per page instead of per value."""
    pg = dialect() == "postgresql"
    plan = q.memo.get(("json_rows", pg))
    if plan is None:
        plan = q.memo[("json_rows", pg)] = [(f.key, at, json_converter(q.spec.model, f, pg))
                                            for f, at in zip(q.selected, q.sources)]
    doc_index = q.doc_index
    out = []
    for row in fetched:
        doc = (row[doc_index] or {}) if doc_index is not None else None
        item = {"id": row[0]}
        for key, at, convert in plan:
            value = row[at] if at is not None else doc.get(key)
            item[key] = value if value is None or convert is None else convert(value)
        out.append(item)
    return out


# Column types whose values the database driver hands over as JSON values already.
_JSON_READY_COLUMNS = (String, Integer, Boolean)
# Custom values PostgreSQL hands over as parsed JSON that reading and to_json() leave as they are.
_JSON_READY_KINDS = {"text", "choice", "array", "reference"}


def json_converter(model, f: Field, pg: bool) -> Callable[[Any], Any] | None:
    """How one selected value of `f` becomes its JSON value (never called with None); None when
    it is one already."""
    if f.column is not None:
        column_type = getattr(model, f.column).type
        return None if isinstance(column_type, _JSON_READY_COLUMNS) else to_json
    if pg and f.kind in _JSON_READY_KINDS:
        return None
    if pg and f.kind == "number":
        return _json_number
    if pg and f.kind == "bool":
        return bool
    read = value_reader(f)

    def convert(value):
        return to_json(read(value))
    if pg and f.type in _CANONICAL:
        # Stored as the API writes them already (the usual case): nothing to parse and print again.
        # An invalid date that matches the pattern comes back unchanged either way.
        pattern = _CANONICAL[f.type]
        return lambda value: value if type(value) is str and pattern.match(value) else convert(value)
    return convert


# Stored date and time text that to_json(from_storage(...)) gives back unchanged.
_CANONICAL = {"date": re.compile(r"\d{4}-\d\d-\d\d\Z", re.ASCII),
              "datetime": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(?!0{6})\d{6})?Z\Z", re.ASCII)}


def _json_number(value: Any) -> Any:
    # What reading (a whole float becomes an int) and to_json() make of a parsed JSON number.
    if type(value) is float:
        return int(value) if value == int(value) else value
    return to_json(value)


def record_json(object_key: str, record, keys: list[str] | None = None) -> dict:
    """One record as JSON: every live field (or only `keys`), with its id first."""
    from saas.modules.core.records import value_of

    fields = field_map(object_key)
    wanted = keys if keys is not None else list(fields)
    out = {"id": record.id}
    for key in wanted:
        if key in fields:
            out[key] = to_json(value_of(record, fields[key]))
    return out
