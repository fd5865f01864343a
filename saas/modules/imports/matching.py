"""Finding the records an import's rows duplicate, a chunk at a time: one query per chunk for the
chunk's values of the field matched on (e-mail, phone or a unique field).

E-mails match without regard to case. The import lower-cases the e-mails it reads, but a record
typed into a form keeps the case it was typed in, and a query on lower(email) cannot use the
e-mail index (under row-level security no non-LEAKPROOF function can): the records whose e-mail
is not in lower case are read once per run, and every other lookup is an index probe.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from saas.extensions import db
from saas.metadata.definitions import Field
from saas.metadata.query import condition, field_expression
from saas.metadata.objects import object_type
from saas.metadata.types import to_storage
from saas.modules.core.bulk import any_of
from saas.modules.core.loading import RowLoader


class Matcher:
    """Keys of the values a run matches on, and the oldest record holding each key."""

    def __init__(self, object_key: str, f: Field) -> None:
        self.f = f
        self.model = object_type(object_key).model
        self.expression = field_expression(self.model, f)
        self.loader = RowLoader(object_key, partial=True) if f.column is None else None
        self.other_case: dict[str, int] | None = None

    def key(self, value: Any) -> Any:
        """The key of a cleaned cell value (None: the row matches nothing); custom values are
        loaded as the field's schema loads them, so InputError for one that does not fit."""
        if value is None or value == "":
            return None
        if self.f.type == "email":
            return str(value).lower()
        if self.loader is not None:
            stored = to_storage(self.f.type, self.loader.load({self.f.key: value})[self.f.key])
            return float(stored) if self.f.kind == "number" and stored is not None else stored
        return value

    def existing(self, keys: set) -> dict[Any, int]:
        """The oldest record holding each of `keys`, for the keys some record holds."""
        keys = {k for k in keys if k is not None and not isinstance(k, (list, dict))}
        if not keys:
            return {}
        found: dict[Any, int] = {}
        if self.f.column is None:
            if "in" in self.f.operators:
                where = condition(self.model, self.f, "in", sorted(keys, key=str))
            else:
                where = or_(*[condition(self.model, self.f, "eq", k) for k in keys])
        else:
            where = any_of(self.expression, keys)
        for record_id, value in db.session.execute(select(self.model.id, self.expression).where(where)
                                                   .order_by(self.model.id)):
            found.setdefault(self._key_of_stored(value), record_id)
        if self.f.type == "email":
            for key, record_id in self._other_case().items():
                if key in keys and record_id < found.get(key, record_id + 1):
                    found[key] = record_id
        return found

    def _key_of_stored(self, value: Any) -> Any:
        if self.f.type == "email":
            return str(value).lower()
        if self.f.kind == "number" and value is not None:
            return float(value)
        return value

    def _other_case(self) -> dict[str, int]:
        if self.other_case is None:
            rows = db.session.execute(select(self.model.id, self.expression)
                                      .where(self.expression != func.lower(self.expression))
                                      .order_by(self.model.id))
            self.other_case = {}
            for record_id, value in rows:
                self.other_case.setdefault(str(value).lower(), record_id)
        return self.other_case
