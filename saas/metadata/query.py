"""The one query builder: filter, sort and page any object on standard and custom fields.

Public API (used by the list pages, the API, reports and exports):

    q = build_query("contact", filters=[Filter("vip_level", "gt", 2)], sort="-ordered_on",
                    fields=["name", "vip_level"])
    result = page(q, limit=50, cursor=None)     # result.rows: [{"id": 1, "name": ..., ...}]
    more = page(q, limit=50, cursor=result.next_cursor)
    total = count(q)

Custom values are read with a typed expression per field (PostgreSQL:
`orchard_field_number(custom, 'key')`, `orchard_field_text(custom, 'key')`; SQLite:
`json_extract(custom, '$.key')`), the same expression a filterable field's index is built on, so
the index serves both the filter and the sort. The two PostgreSQL functions never raise and are
LEAKPROOF (migration 0011): under forced row-level security only such conditions may run inside
an index scan; `->>` and `::numeric` may not. Only the shown values are selected. Paging
is by keyset (the last row's sort value and id in an opaque cursor), so page 1,000 costs what
page 1 costs. Rows whose sort value is empty come last ascending and first descending, like
PostgreSQL orders NULLs; they are paged in a phase of their own so each phase stays a range scan.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable

from flask_babel import gettext as _
from sqlalchemy import (Boolean, Float, Integer, String, Text, and_, bindparam, cast, exists, func,
                        literal_column, not_, or_, select, tuple_)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import array as pg_array

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import KEY_RE, Field, cached, field_map
from saas.metadata.objects import ObjectType, object_type
from saas.metadata.types import VALUELESS_OPERATORS, from_storage
from saas.tenants.context import TenantContextError, current_tenant_id

MAX_LIMIT = 500
WHOLE_DOCUMENT_FROM = 3        # custom fields shown, from which the custom document comes whole
TRUTHY = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Filter:
    """One condition: `field` (a field key), `op` (see saas.metadata.types.OPERATORS), `value`.

    `in` takes a list; `between` a pair (either end may be None); empty/not_empty no value."""

    field: str
    op: str
    value: Any = None


@dataclass
class RecordQuery:
    object_key: str
    spec: ObjectType
    fields: dict[str, Field]
    statement: Any                    # select(...) with the filters applied, without order/limit
    selected: list[Field]
    sort_field: Field | None          # None: by id
    sort_expr: Any
    descending: bool
    filters: list[Filter] = dc_field(default_factory=list)
    # Where each selected field's value sits in a fetched row: its position, or None when it is read
    # from the whole custom document at doc_index (see _build).
    sources: list = dc_field(default_factory=list)
    doc_index: int | None = None
    # True for cached_query()'s: the workspace's id is written into the statement, which runs as
    # Core on the session's connection (see cached_query).
    direct: bool = False
    # The paging statements, built once per (phase, continuing) and run with bound cursor values.
    variants: dict = dc_field(default_factory=dict)
    # What callers derive from the query and keep with it (the API's row converters ...).
    memo: dict = dc_field(default_factory=dict)


@dataclass
class Page:
    rows: list[dict]
    next_cursor: str | None


def dialect() -> str:
    return db.session.get_bind().dialect.name


# --- expressions -----------------------------------------------------------------------------

def _custom_path(model, key: str, pg: bool, as_json: bool = False):
    # Keys are checked identifiers (KEY_RE) when defined; checked again here because they are
    # written into the SQL text, which an expression index must match exactly.
    if not KEY_RE.match(key):
        raise ValueError(f"bad field key {key!r}")
    custom = model.__table__.c.custom
    if pg:
        return custom.op("->" if as_json else "->>", return_type=JSONB if as_json else Text)(literal_column(f"'{key}'"))
    return func.json_extract(custom, literal_column(f"'$.{key}'"), type_=Text)


def field_expression(model, f: Field, pg: bool | None = None):
    """The SQL expression of a field's value, typed for comparison (filters, sorts, indexes)."""
    pg = dialect() == "postgresql" if pg is None else pg
    if f.column is not None:
        return getattr(model, f.column)
    kind = f.kind
    if kind == "array":
        return _custom_path(model, f.key, pg, as_json=True)
    if not pg:
        sqlite_types = {"number": Float(), "reference": Integer(), "bool": Boolean()}
        return func.json_extract(model.__table__.c.custom, literal_column(f"'$.{f.key}'"),
                                 type_=sqlite_types.get(kind, Text()))
    if kind == "number":
        return _field_function(model, f.key, "orchard_field_number", Float())
    if kind == "reference":
        return cast(_custom_path(model, f.key, pg), Integer)
    if kind == "bool":
        return cast(_custom_path(model, f.key, pg), Boolean)
    # text, choices, ISO dates and times: compared as text
    return _field_function(model, f.key, "orchard_field_text", Text())


def _field_function(model, key: str, name: str, type_):
    if not KEY_RE.match(key):
        raise ValueError(f"bad field key {key!r}")
    return getattr(func, name)(model.__table__.c.custom, literal_column(f"'{key}'"), type_=type_)


def index_expression_sql(f: Field) -> str:
    """The SQL text of the expression index for a custom field (PostgreSQL), matching field_expression."""
    if not KEY_RE.match(f.key):
        raise ValueError(f"bad field key {f.key!r}")
    raw = f"(custom ->> '{f.key}'::text)"
    return {"number": f"orchard_field_number(custom, '{f.key}'::text)", "reference": f"(({raw})::integer)",
            "bool": f"(({raw})::boolean)"}.get(f.kind, f"orchard_field_text(custom, '{f.key}'::text)")


# --- filter values ---------------------------------------------------------------------------

def _bad(f: Field, message: str | None = None) -> InputError:
    return InputError({f.key: message or _("This filter value does not fit the field.")},
                      code="bad_filter", status=400)


def _parse_date(f: Field, value: Any) -> date | datetime:
    if isinstance(value, (date, datetime)):
        return value
    try:
        text = str(value).strip()
        if len(text) <= 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(f, _("Enter a date as YYYY-MM-DD.")) from None


def _scalar(f: Field, value: Any) -> Any:
    """A filter value converted to the field's kind (strings come from URLs)."""
    kind = f.kind
    if value is None or value == "":
        raise _bad(f, _("Enter a value to filter by."))
    if kind == "number":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise _bad(f, _("Enter a number.")) from None
        if not number.is_finite():
            raise _bad(f, _("Enter a number."))
        # Custom numbers are stored and compared as doubles (JSON numbers); columns are exact.
        return number if f.column is not None else float(number)
    if kind == "reference":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(f) from None
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).strip().lower() in TRUTHY
    if kind in ("date", "datetime"):
        return _parse_date(f, value)
    return str(value)


def _time_bound(f: Field, value: date | datetime, next_day: bool = False) -> Any:
    """A date or time as the comparable literal of the field: ISO text for custom, native for columns."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    else:
        day = value + timedelta(days=1) if next_day else value
        if f.kind == "date":
            return day if f.column is not None else day.isoformat()
        moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    if f.kind == "date":
        day = moment.date() + (timedelta(days=1) if next_day else timedelta())
        return day if f.column is not None else day.isoformat()
    if f.column is not None:
        return moment
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _values(value: Any) -> list:
    if isinstance(value, str):
        return [v for v in (part.strip() for part in value.split(",")) if v]
    return list(value or [])


def _array_condition(model, f: Field, op: str, value: Any, pg: bool):
    doc = getattr(model, f.column) if f.column else _custom_path(model, f.key, pg, as_json=True)
    if op in ("empty", "not_empty"):
        if pg:
            length = func.coalesce(func.jsonb_array_length(doc), 0)
        elif f.column:
            length = func.coalesce(func.json_array_length(doc), 0)
        else:
            length = func.coalesce(func.json_array_length(model.__table__.c.custom, literal_column(f"'$.{f.key}'")), 0)
        return length == 0 if op == "empty" else length > 0
    values = [str(v) for v in _values(value)]
    if not values:
        raise _bad(f, _("Choose at least one option."))
    if pg:
        return doc.op("?|", return_type=Boolean)(cast(pg_array(values), ARRAY(Text)))
    source = (func.json_each(doc) if f.column else
              func.json_each(model.__table__.c.custom, literal_column(f"'$.{f.key}'")))
    each = source.table_valued("value")
    return exists(select(1).select_from(each).where(each.c.value.in_(values)))


def condition(model, f: Field, op: str, value: Any = None, pg: bool | None = None):
    """The SQL condition of one filter on one field; bad operators or values raise InputError."""
    pg = dialect() == "postgresql" if pg is None else pg
    if op not in f.operators:
        raise _bad(f, _("This field cannot be filtered that way."))
    if f.kind == "array":
        return _array_condition(model, f, op, value, pg)
    expr = field_expression(model, f, pg)
    textual = f.kind in ("text", "choice")
    if op == "empty":
        return or_(expr.is_(None), expr == "") if textual else expr.is_(None)
    if op == "not_empty":
        return and_(expr.is_not(None), expr != "") if textual else expr.is_not(None)
    if op == "contains":
        return expr.icontains(str(value or ""), autoescape=True)
    if op == "in":
        values = [_scalar(f, v) for v in _values(value)]
        if not values:
            raise _bad(f, _("Choose at least one value."))
        return expr.in_(values)
    if f.kind in ("date", "datetime"):
        return _time_condition(expr, f, op, value)
    if op == "between":
        low, high = _pair(f, value)
        parts = [expr >= _scalar(f, low)] if low not in (None, "") else []
        parts += [expr <= _scalar(f, high)] if high not in (None, "") else []
        return and_(*parts) if parts else expr.is_not(None)
    scalar = _scalar(f, value)
    return {"eq": lambda: expr == scalar, "ne": lambda: or_(expr != scalar, expr.is_(None)),
            "gt": lambda: expr > scalar, "lt": lambda: expr < scalar}[op]()


def _pair(f: Field, value: Any) -> tuple:
    if isinstance(value, str):
        value = value.split(",", 1) if "," in value else [value, None]
    value = list(value or [])
    if len(value) != 2:
        raise _bad(f, _("Give a range: from and to."))
    return value[0], value[1]


def _time_condition(expr, f: Field, op: str, value: Any):
    if op == "between":
        low, high = _pair(f, value)
        parts = []
        if low not in (None, ""):
            parts.append(expr >= _time_bound(f, _parse_date(f, low)))
        if high not in (None, ""):
            high_value = _parse_date(f, high)
            if isinstance(high_value, datetime):
                parts.append(expr <= _time_bound(f, high_value))
            else:
                parts.append(expr < _time_bound(f, high_value, next_day=True))
        return and_(*parts) if parts else expr.is_not(None)
    moment = _scalar(f, value)
    if op == "before":
        return expr < _time_bound(f, moment)
    if op == "after":
        if isinstance(moment, datetime):
            return expr > _time_bound(f, moment)
        return expr >= _time_bound(f, moment, next_day=True)
    if op == "eq":
        return and_(expr >= _time_bound(f, moment), expr < _time_bound(f, moment, next_day=True)) \
            if f.kind == "datetime" else expr == _time_bound(f, moment)
    raise _bad(f)


# --- building and paging ---------------------------------------------------------------------

def build_query(object_key: str, filters: Iterable[Filter] = (), sort: str | None = None,
                fields: Iterable[str] | None = None) -> RecordQuery:
    """A query of the object's records in the workspace in context.

    filters: Filter(field key, operator, value) items, all of which must hold.
    sort: a field key, "-key" for descending; None sorts newest first (by id).
    fields: the field keys to select (default: every visible field); "id" always comes along.
    Unknown fields, operators or values raise InputError (status 400) naming the field.
    """
    return _build(object_key, filters, sort, fields, direct=False)


def cached_query(object_key: str, filters: Iterable[Filter] = (), sort: str | None = None,
                 fields: Iterable[str] | None = None) -> RecordQuery:
    """build_query() for a list asked for again and again (the API): built once per process for the
    workspace, its metadata version and the exact request (object, fields, filters, sort).

    Its statements name the workspace's id as a constant, so PostgreSQL can plan them once, as
    prepared statements, with the workspace's partial indexes; and they run as Core on the
    session's connection: the explicit workspace condition is in them, row-level security holds,
    and the ORM's automatic scoping would add the same condition again at a cost per request.
    """
    filters = list(filters)
    fields = list(fields) if fields is not None else None
    shape = _shape(object_key, filters, sort, fields)
    if shape is None:
        return build_query(object_key, filters, sort, fields)
    return cached(f"query:{shape}", lambda: _build(object_key, filters, sort, fields, direct=True))


_PLAIN = (str, int, float, bool, type(None))


def _shape(object_key: str, filters: list[Filter], sort: str | None, fields: list[str] | None) -> str | None:
    """The cache name of a query, or None when a value is not plain data (no such query is kept)."""
    def plain(value) -> bool:
        return type(value) in _PLAIN or (type(value) in (list, tuple) and all(type(v) in _PLAIN for v in value))

    if not all(plain(f.value) for f in filters) or not plain(sort) or (fields is not None and not plain(fields)):
        return None
    return repr((object_key, tuple(fields) if fields is not None else None, sort,
                 tuple((f.field, f.op, tuple(f.value) if type(f.value) in (list, tuple) else f.value)
                       for f in filters)))


def _build(object_key: str, filters: Iterable[Filter], sort: str | None, fields: Iterable[str] | None,
           direct: bool) -> RecordQuery:
    spec = object_type(object_key)
    if spec is None:
        raise InputError({"object": _("Unknown object.")}, status=404)
    model = spec.model
    known = field_map(object_key)
    pg = dialect() == "postgresql"

    def lookup(key: str) -> Field:
        if key not in known:
            raise InputError({key: _("There is no field “%(key)s”.", key=key)}, code="unknown_field", status=400)
        return known[key]

    keys = list(fields) if fields is not None else [f.key for f in known.values() if not f.hidden]
    selected = [lookup(k) for k in dict.fromkeys(keys) if k != "id"]
    columns = [model.id.label("id")]
    # Many custom values shown: PostgreSQL hands over the one document cheaper than a column each.
    whole_doc = pg and sum(1 for f in selected if f.column is None) >= WHOLE_DOCUMENT_FROM
    sources = []
    for f in selected:
        if whole_doc and f.column is None:
            sources.append(None)
            continue
        # Shown values need no typed expression: PostgreSQL hands the JSON value over as it is.
        as_json = f.column is None and (pg or f.kind == "array")
        expr = _custom_path(model, f.key, pg, as_json=True) if as_json else field_expression(model, f, pg)
        sources.append(len(columns))
        columns.append(expr.label(f.key))
    doc_index = None
    if whole_doc:
        doc_index = len(columns)
        columns.append(model.__table__.c.custom.label("_custom"))

    descending, sort_field, sort_expr = True, None, None
    if sort and sort.lstrip("-") != "id":
        descending = sort.startswith("-")
        sort_field = lookup(sort.lstrip("-"))
        if sort_field.kind == "array":
            raise InputError({sort_field.key: _("This field cannot be sorted.")}, code="bad_sort", status=400)
        sort_expr = field_expression(model, sort_field, pg)
        if sort_field not in selected:        # a shown sort field's value is already in the row
            columns.append(sort_expr.label("_sort"))
    elif sort == "id":
        descending = False

    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise TenantContextError("record query outside a tenant context")
    # Explicit as well as automatic: counts wrap this in a subquery, and PostgreSQL proves a
    # per-workspace partial index usable from this condition (from a constant even in a generic plan).
    workspace = literal_column(str(int(tenant_id)), Integer()) if direct else tenant_id
    statement = select(*columns).select_from(model).where(model.tenant_id == workspace)
    filters = list(filters)
    for flt in filters:
        f = lookup(flt.field)
        value = None if flt.op in VALUELESS_OPERATORS else flt.value
        statement = statement.where(condition(model, f, flt.op, value, pg))
    return RecordQuery(object_key, spec, known, statement, selected, sort_field, sort_expr, descending, filters,
                       sources=sources, doc_index=doc_index, direct=direct)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "n" in value:
            return Decimal(value["n"])
    return value


def encode_cursor(state: dict) -> str:
    raw = json.dumps(state, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(state, dict) or not isinstance(state.get("i"), int):
            raise ValueError
        return state
    except (ValueError, TypeError, UnicodeDecodeError):
        raise InputError({"cursor": _("This page link is not valid any more; start from the first page.")},
                         code="bad_cursor", status=400) from None


def value_reader(f: Field) -> Callable[[Any], Any]:
    """How a selected value of `f` becomes its Python value (as the rows of page() hold it)."""
    return (lambda value: value) if f.column is not None else _custom_reader(f)


def _custom_reader(f: Field):
    """How a custom field's selected value becomes its Python value (decided once per page)."""
    kind, type_key = f.kind, f.type

    def read(value):
        if value is None:
            return None
        if kind == "array" and isinstance(value, str):
            value = json.loads(value)
        elif kind == "bool":
            value = bool(value)
        elif kind == "number" and isinstance(value, (Decimal, float)):
            value = int(value) if value == int(value) else float(value)
        return from_storage(type_key, value)
    return read


def _rows(q: RecordQuery, fetched: list) -> list[dict]:
    readers = [(f.key, at, None if f.column is not None else _custom_reader(f))
               for f, at in zip(q.selected, q.sources)]
    doc_index = q.doc_index
    rows = []
    for row in fetched:
        data = {"id": row.id}
        doc = (row[doc_index] or {}) if doc_index is not None else None
        for key, at, read in readers:
            value = row[at] if at is not None else doc.get(key)
            data[key] = value if read is None else read(value)
        rows.append(data)
    return rows


def page(q: RecordQuery, limit: int = 50, cursor: str | None = None,
         rows: Callable[[RecordQuery, list], list] | None = None) -> Page:
    """One page of `q`: up to `limit` rows as dicts, and the cursor of the next page (None at the end).

    rows: how the fetched rows become the page's rows (default: dicts of Python values)."""
    limit = max(1, min(int(limit or 50), MAX_LIMIT))
    state = decode_cursor(cursor) if cursor else None
    fetched: list = []

    if q.sort_expr is None:
        params = {"page_limit": limit + 1}
        if state:
            params["cursor_id"] = state["i"]
        fetched = _run(q, _variant(q, "id", state is not None), params)
    else:
        phases = ["null", "value"] if q.descending else ["value", "null"]
        if state:
            phases = phases[phases.index("null" if state.get("n") else "value"):]
        for phase in phases:
            continuing = state is not None and phase == ("null" if state.get("n") else "value")
            params = {"page_limit": limit + 1 - len(fetched)}
            if continuing:
                params["cursor_id"] = state["i"]
                if phase == "value":
                    params["cursor_value"] = _decode(state.get("v"))
            fetched += _run(q, _variant(q, phase, continuing), params)
            if len(fetched) > limit:
                break

    more = len(fetched) > limit
    fetched = fetched[:limit]
    next_cursor = None
    if more and fetched:
        last = fetched[-1]
        state = {"i": last.id}
        if q.sort_expr is not None:
            value = _sort_value(q, last)
            state.update({"n": True} if value is None else {"v": _encode(value)})
        next_cursor = encode_cursor(state)
    return Page((rows or _rows)(q, fetched), next_cursor)


def _sort_value(q: RecordQuery, row) -> Any:
    """The row's value of the sort field, as selected (a shown value) or as sorted on."""
    if q.sort_field not in q.selected:
        return row._sort
    at = q.sources[q.selected.index(q.sort_field)]
    return row[at] if at is not None else (row[q.doc_index] or {}).get(q.sort_field.key)


def _variant(q: RecordQuery, phase: str, continuing: bool):
    """The statement of one paging phase ("id": sorted by id; "null" / "value": the rows whose sort
    value is empty / not), after a cursor or not; cursor values and the limit are bound parameters."""
    key = (phase, continuing)
    statement = q.variants.get(key)
    if statement is not None:
        return statement
    model_id = q.spec.model.id
    after_id = bindparam("cursor_id", type_=Integer())
    by_id = model_id.desc() if q.descending else model_id.asc()
    past_id = model_id < after_id if q.descending else model_id > after_id
    statement = q.statement
    if phase in ("id", "null"):
        if phase == "null":
            statement = statement.where(q.sort_expr.is_(None))
        if continuing:
            statement = statement.where(past_id)
        order = [by_id]
    else:
        expr = q.sort_expr
        statement = statement.where(expr.is_not(None))
        if continuing:
            last = tuple_(expr, model_id)
            bound = tuple_(bindparam("cursor_value", type_=expr.type), after_id)
            statement = statement.where(last < bound if q.descending else last > bound)
        order = [expr.desc(), model_id.desc()] if q.descending else [expr.asc(), model_id.asc()]
    statement = statement.order_by(*order).limit(bindparam("page_limit", type_=Integer()))
    q.variants[key] = statement
    return statement


def _run(q: RecordQuery, statement, params: dict) -> list:
    if q.direct:
        return list(db.session.connection().execute(statement, params))
    return list(db.session.execute(statement, params))


def count(q: RecordQuery, up_to: int | None = None) -> int:
    """How many records match the query's filters; with `up_to`, counting stops past that many
    (the answer is then up_to + 1), so a list of a million rows need not be read to say "10,000+"."""
    matching = q.statement.with_only_columns(q.spec.model.id).order_by(None)
    if up_to is not None:
        matching = matching.limit(up_to + 1)
    return db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0


def ids(q: RecordQuery) -> list[int]:
    """The ids of every record matching the query (for bulk actions)."""
    return list(db.session.scalars(q.statement.with_only_columns(q.spec.model.id)))
