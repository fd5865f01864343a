"""Bulk upsert: up to MAX_ITEMS records a request, matched on a unique field (an external id).

Each item runs in its own savepoint: a bad item is reported and undone alone, the others are
kept (partial success, one result per item, in request order). The whole request is one
transaction otherwise, so with an Idempotency-Key a retry replays the same results.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import field_map
from saas.metadata.query import condition
from saas.metadata.types import to_storage

MAX_ITEMS = 1000


def _key_field(object_key: str, key: Any):
    fields = field_map(object_key)
    if not isinstance(key, str) or key not in fields:
        raise InputError({"key": _("Name the field that identifies records, e.g. an external id.")})
    f = fields[key]
    if not f.unique:
        raise InputError({"key": _("The field “%(key)s” is not unique; mark it unique to key an upsert by it.",
                                   key=key)})
    if f.kind not in ("text", "number", "reference"):
        raise InputError({"key": _("Records can be keyed only by a text or number field.")})
    return f


def find_by(object_key: str, f, value: Any):
    """The record whose unique field `f` holds `value`, or None."""
    from saas.modules.core.records import spec_of

    model = spec_of(object_key).model
    stored = value if f.column is not None else to_storage(f.type, value)
    return db.session.scalar(select(model).where(condition(model, f, "eq", stored)).limit(1))


def upsert(object_key: str, key: Any, items: Any) -> dict:
    """Create or update each item by its `key` field; returns {"results", "created", "updated", "failed"}."""
    from saas.modules.core.records import create_record, update_record

    f = _key_field(object_key, key)
    if not isinstance(items, list) or not items:
        raise InputError({"records": _("Send a list of 1 to %(max)s records.", max=MAX_ITEMS)})
    if len(items) > MAX_ITEMS:
        raise InputError({"records": _("Send at most %(max)s records a request.", max=MAX_ITEMS)}, status=413,
                         code="too_many_records")
    results, counts = [], {"created": 0, "updated": 0, "failed": 0}
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise InputError(message=_("Send each record as an object of field values."))
            if item.get(f.key) in (None, ""):
                raise InputError({f.key: _("Give the record's “%(key)s”.", key=f.key)})
            with db.session.begin_nested():
                # The record services call the record_changed hook inside this savepoint: a
                # refused item's events (webhook deliveries) are undone with it.
                record = find_by(object_key, f, item[f.key])
                if record is None:
                    record = create_record(object_key, item)
                    status = "created"
                else:
                    update_record(object_key, record, item)
                    status = "updated"
        except InputError as exc:
            counts["failed"] += 1
            results.append({"index": index, "status": "error", "id": None,
                            "error": {"code": exc.code, "message": str(exc.message),
                                      "fields": {k: str(v) for k, v in exc.fields.items()}}})
            continue
        except (DataError, IntegrityError, OverflowError) as exc:
            from saas.api.errors import is_not_null_violation

            counts["failed"] += 1
            message = (_("A required field is empty.") if isinstance(exc, IntegrityError) and is_not_null_violation(exc)
                       else _("A value is too long or out of range."))
            results.append({"index": index, "status": "error", "id": None,
                            "error": {"code": "invalid", "message": message, "fields": {}}})
            continue
        counts[status] += 1
        results.append({"index": index, "status": status, "id": record.id, "error": None})
    return {"results": results, **counts}
