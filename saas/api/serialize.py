"""Records as JSON: standard and custom fields side by side, by field key, plus "id"."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from saas.metadata.definitions import field_map


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
