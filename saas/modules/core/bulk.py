"""Creating and updating many records at once (a chunk of an import): the checks, history and
hooks of create_record and update_record, paid once per batch instead of once per record.

- Values are validated by the generated schema's own fields (RowLoader: the same messages).
- The plan's capacity is checked once per batch; rows beyond it are refused with its message.
- References and unique values are checked with one query per field for the whole batch; a
  unique value repeated within the batch is refused after its first row, as one-by-one
  creation would refuse it.
- On PostgreSQL the core's own tables take one INSERT ... SELECT FROM unnest(...) per batch,
  with the ids drawn from the table's sequence first, so each row's id is known without relying
  on the order of RETURNING. Row-level security applies to it as to any INSERT (COPY FROM is
  refused under row-level security). Other objects (a plugin's model may keep rules in ORM
  events, as deals do) and SQLite go through the ORM, one flush per batch.
- The enabled plugins may fill in the columns they own before the batch is written (hook
  records_creating: the lifecycle module sets the stage, rather than updating every new row).
- The history gets each new record's "created" row in one statement.
- The enabled plugins hear about the batch once, through the hook records_created; one that
  implements only record_changed is still called with each new record.

A batch the database refuses as a whole (a value too long for its column, a clash) is written
again one row at a time, each in a savepoint, so that only the rows at fault are refused.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import orjson
from flask_babel import gettext as _
from sqlalchemy import any_, insert, literal, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.types import JSON, Float, Integer, Numeric, Text

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import Field, field_map
from saas.metadata.objects import ObjectType, object_type
from saas.metadata.query import condition, field_expression
from saas.metadata.types import to_storage
from saas.modules.billing.limits import Capacity, capacity
from saas.modules.core.loading import RowLoader
from saas.modules.core.models import Activity, Company, Contact, FieldChange, Order
from saas.modules.core.records import (CREATED, PLAN_COUNTED_OBJECTS, _apply, _emit, record_json,
                                       spec_of)
from saas.tenants.context import current_tenant_id
from saas.tenants.models import Membership, utcnow

# Tables without ORM-side rules: written with one set-based INSERT on PostgreSQL.
SET_BASED_MODELS = (Company, Contact, Order, Activity)


def refused_by_database() -> InputError:
    return InputError(message=_("The database refused this row (a value clashes with another record)."),
                      code="refused")


# --- creating ----------------------------------------------------------------------------------

def create_records(object_key: str, rows: list[dict], user_id: int | None = None, *,
                   loaded: bool = False, room: Capacity | None = None) -> list[int | InputError]:
    """Create a record from each of `rows` ({field key: value}), as create_record would one by
    one; `loaded=True` when the rows are values a RowLoader of this object returned already;
    `room`: the plan's records capacity when the caller counted it (a job of many batches),
    which the new records take from. Returns, per row, the new record's id or the InputError
    that refused it."""
    spec = spec_of(object_key)
    fields = field_map(object_key)
    problems: list[dict | InputError | None] = [None] * len(rows)
    values: list[dict | None] = list(rows) if loaded else [None] * len(rows)
    if not loaded:
        loader = RowLoader(object_key)
        for i, data in enumerate(rows):
            try:
                values[i] = loader.load(data)
            except InputError as exc:
                problems[i] = exc
    _check_references(fields, values, problems)
    _check_uniques(spec, fields, values, problems)
    wanted = [i for i, problem in enumerate(problems) if problem is None]
    if object_key in PLAN_COUNTED_OBJECTS and wanted:
        room = room or capacity("records")
        granted = room.take(len(wanted))
        for i in wanted[granted:]:
            problems[i] = room.refusal()
        wanted = wanted[:granted]
    outcomes: list = [p if isinstance(p, InputError) else InputError(p) if p else None for p in problems]
    if not wanted:
        return outcomes
    new = _new_rows(spec, fields, [values[i] for i in wanted], user_id)
    if _set_based(spec):
        _number_rows(spec.model.__table__, new)
    _announce_creating(object_key, new)
    ids = _write_new(spec, new)
    for i, new_id in zip(wanted, ids):
        outcomes[i] = new_id if new_id is not None else refused_by_database()
    created = [(row, new_id) for row, new_id in zip(new, ids) if new_id is not None]
    if created:
        _write_history([new_id for _row, new_id in created], object_key, user_id)
        _tell_created(object_key, spec, fields, created)
    return outcomes


def _new_rows(spec: ObjectType, fields: dict[str, Field], values: list[dict], user_id: int | None) -> list[dict]:
    """The columns of each new record, as create_record sets them (custom values as stored)."""
    has_tags = hasattr(spec.model, "tags")
    default_owner = user_id if hasattr(spec.model, "owner_id") else None
    shape = {key: (f.column, f.type, f.kind == "array") for key, f in fields.items()}
    rows = []
    for row_values in values:
        custom: dict[str, Any] = {}
        columns: dict[str, Any] = {"custom": custom, "tags": []} if has_tags else {"custom": custom}
        for key, value in row_values.items():
            column, type_key, array = shape[key]
            if column is None:
                stored = to_storage(type_key, value)
                if stored is not None:
                    custom[key] = stored
            # A new record's empty value needs nothing set (loaded values are never blank text).
            elif value is not None and not (array and not value):
                columns[column] = value
        if default_owner is not None and "owner" not in row_values:
            columns.setdefault("owner_id", default_owner)
        rows.append(columns)
    return rows


def _write_new(spec: ObjectType, rows: list[dict]) -> list[int | None]:
    """Insert the rows; per row its id, or None for a row the database refused."""
    try:
        with db.session.begin_nested():
            return _insert_records(spec, rows)
    except (IntegrityError, DataError):
        ids: list[int | None] = []
        for row in rows:
            try:
                with db.session.begin_nested():
                    ids.append(_insert_records(spec, [row])[0])
            except (IntegrityError, DataError):
                ids.append(None)
        return ids


def _set_based(spec: ObjectType) -> bool:
    return _on_postgres() and spec.model in SET_BASED_MODELS


def _number_rows(table, rows: list[dict]) -> None:
    """Give each row its id from the table's sequence (one query), its workspace and the columns'
    defaults: the rows are complete before anything is written, so the hook records_creating
    sees the ids and a row written again alone keeps its id."""
    ids = [row[0] for row in db.session.connection().exec_driver_sql(
        "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (_id_sequence(table), len(rows)))]
    defaults = _python_defaults(table)
    tenant_id = current_tenant_id()
    for row, new_id in zip(rows, ids):
        for name, value in defaults.items():
            row.setdefault(name, value)
        row["id"], row["tenant_id"] = new_id, tenant_id


def _insert_records(spec: ObjectType, rows: list[dict]) -> list[int]:
    if not _set_based(spec):
        records = [spec.model(**row) for row in rows]
        db.session.add_all(records)
        db.session.flush()
        return [record.id for record in records]
    insert_rows(spec.model.__table__, rows)
    return [row["id"] for row in rows]


_SEQUENCES: dict[str, str] = {}


def _id_sequence(table) -> str:
    """The sequence the table's ids come from (asked once per process)."""
    if table.name not in _SEQUENCES:
        _SEQUENCES[table.name] = db.session.connection().exec_driver_sql(
            "SELECT pg_get_serial_sequence(%s, 'id')", (table.name,)).scalar()
    return _SEQUENCES[table.name]


def _python_defaults(table) -> dict[str, Any]:
    """The values the ORM would give columns left out (created_at, a status ...), once per batch."""
    out = {}
    for column in table.columns:
        default = column.default
        if default is not None and (default.is_scalar or default.is_callable):
            out[column.name] = default.arg if default.is_scalar else default.arg(None)
    return out


def _write_history(ids: list[int], object_key: str, user_id: int | None) -> None:
    """The "created" entry of each new record's history, in one statement."""
    now, tenant_id = utcnow(), current_tenant_id()
    insert_rows(FieldChange.__table__, [{"tenant_id": tenant_id, "object_key": object_key, "record_id": record_id,
                                     "field_key": CREATED, "user_id": user_id, "changed_at": now}
                                    for record_id in ids])


# --- set-based SQL ------------------------------------------------------------------------------

def _on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def any_of(expression, values: Iterable) -> Any:
    """`expression IN values`, as one array parameter on PostgreSQL (`= ANY(...)`): a batch's
    thousands of values would otherwise be as many bind parameters to render and parse."""
    values = list(values)
    if not _on_postgres():
        return expression.in_(values)
    if isinstance(expression.type, Integer):
        item = Integer()
    elif isinstance(expression.type, (Float, Numeric)):
        item = Float()
    else:
        item = Text()
    return expression == any_(literal(values, postgresql.ARRAY(item)))


def insert_rows(table, rows: list[dict]) -> None:
    """INSERT rows in one statement (PostgreSQL: arrays unnested); a column some rows leave out
    is NULL in them."""
    if not _on_postgres():
        db.session.execute(insert(table), rows)
        return
    given = set().union(*rows)
    names = [column.name for column in table.columns if column.name in given]
    arrays = []
    for name in names:
        column = table.c[name]
        values = [row.get(name) for row in rows]
        if isinstance(column.type, JSON):
            values = [None if v is None else orjson.dumps(v).decode() for v in values]
        arrays.append(values)
    db.session.connection().exec_driver_sql(_unnest_sql(table, tuple(names)), tuple(arrays))


_UNNEST_SQL: dict[tuple, str] = {}


def _unnest_sql(table, names: tuple[str, ...]) -> str:
    """INSERT INTO t (a, b) SELECT u.a, u.b FROM unnest(%b::T[], %b::U[]) AS u(a, b); %b sends each
    array in binary. JSON travels as text and is cast in the SELECT; VARCHAR(n) arrays are cast to
    plain VARCHAR so that the INSERT, not the cast, refuses a value too long (a cast would cut it)."""
    key = (table.name, names)
    if key not in _UNNEST_SQL:
        dialect = postgresql.dialect()
        quote = dialect.identifier_preparer.quote
        types, selected = [], []
        for name in names:
            column = table.c[name]
            sql_type = column.type.compile(dialect=dialect)
            if isinstance(column.type, JSON):
                types.append("text")
                selected.append(f"u.{quote(name)}::{sql_type}")
            else:
                types.append(re.sub(r"\(.*?\)", "", sql_type))
                selected.append(f"u.{quote(name)}")
        columns = ", ".join(quote(n) for n in names)
        _UNNEST_SQL[key] = (f"INSERT INTO {quote(table.name)} ({columns}) SELECT {', '.join(selected)} "
                            f"FROM unnest({', '.join(f'%b::{t}[]' for t in types)}) AS u({columns})")
    return _UNNEST_SQL[key]


# --- references and unique values, per batch ---------------------------------------------------

def _add_problem(problems: list, i: int, key: str, message: str) -> None:
    if isinstance(problems[i], InputError):
        return
    problems[i] = {**(problems[i] or {}), key: message}


def _check_references(fields: dict[str, Field], values: list[dict | None], problems: list) -> None:
    """Each referenced record (or member) exists in the workspace: one query per reference field."""
    for key, f in fields.items():
        if f.kind != "reference":
            continue
        wanted = {v[key] for v in values if v is not None and v.get(key) is not None}
        if not wanted:
            continue
        found = _existing_references(f, wanted)
        message = _("Choose a member of this workspace.") if f.reference_object == "user" else \
            _("There is no such record.")
        for i, v in enumerate(values):
            if v is not None and v.get(key) is not None and v[key] not in found:
                _add_problem(problems, i, key, message)


def _existing_references(f: Field, ids: set[int]) -> set[int]:
    if f.reference_object == "user":
        return set(db.session.scalars(select(Membership.user_id).where(
            Membership.tenant_id == current_tenant_id(), any_of(Membership.user_id, ids))))
    spec = object_type(f.reference_object or "")
    if spec is None:
        return set()
    return set(db.session.scalars(select(spec.model.id).where(any_of(spec.model.id, ids))))


def _unique_key(f: Field, value: Any) -> Any:
    """A unique value as compared: custom numbers as doubles, other custom values as text."""
    if value is None:
        return None
    if f.kind == "number":
        return float(value)
    if f.column is None and f.kind not in ("bool", "reference"):
        return str(value)
    return value


def _check_uniques(spec: ObjectType, fields: dict[str, Field], values: list[dict | None], problems: list) -> None:
    """Unique values are not taken by another record, nor by an earlier row of the batch that is
    written: one query per unique field."""
    unique = [f for f in fields.values() if f.unique]
    if not unique:
        return
    taken: dict[str, set] = {}
    for f in unique:
        stored = {_stored(f, v[f.key]) for v in values if v is not None and v.get(f.key) not in (None, "")}
        taken[f.key] = _taken_values(spec, f, stored) if stored else set()
    message = _("Another record has this value already; it must be unique.")
    for i, v in enumerate(values):
        if v is None:
            continue
        mine = {f.key: _unique_key(f, _stored(f, v[f.key])) for f in unique if v.get(f.key) not in (None, "")}
        for key, value in mine.items():
            if value in taken[key]:
                _add_problem(problems, i, key, message)
        if problems[i] is None:
            for key, value in mine.items():
                taken[key].add(value)


def _stored(f: Field, value: Any) -> Any:
    return value if f.column is not None else to_storage(f.type, value)


def _taken_values(spec: ObjectType, f: Field, stored: set) -> set:
    if "in" in f.operators:
        where = condition(spec.model, f, "in", sorted(stored, key=str))
    else:
        where = or_(*[condition(spec.model, f, "eq", value) for value in stored])
    return {_unique_key(f, value) for value in
            db.session.scalars(select(field_expression(spec.model, f)).where(where))}


# --- telling the plugins -------------------------------------------------------------------------

def _as_json(fields: dict[str, Field], created: list[tuple[dict, int]]) -> list[dict]:
    """What record_json gives for each new record, from the columns it was written with."""
    shape = [(key, f.column, f.type) for key, f in fields.items()]
    out = []
    for row, record_id in created:
        custom = row["custom"]
        record = {"id": record_id}
        for key, column, type_key in shape:
            if column is None:
                record[key] = custom.get(key)
            else:
                value = row.get(column)
                record[key] = None if value is None else to_storage(type_key, value)
        out.append(record)
    return out


def _announce_creating(object_key: str, rows: list[dict]) -> None:
    from saas.plugins import hooks

    hooks(workspace=_workspace()).records_creating(object_key=object_key, rows=rows)


def _workspace():
    from flask import g

    from saas.tenants.models import Workspace

    return g.get("workspace") or db.session.get(Workspace, current_tenant_id())


def _tell_created(object_key: str, spec: ObjectType, fields: dict[str, Field],
                  created: list[tuple[dict, int]]) -> None:
    """One records_created call for the batch; record_changed per record for plugins that do not
    implement records_created."""
    from saas.plugins import announce_records_created

    if _set_based(spec):
        records = _as_json(fields, created)
    else:
        by_id = {r.id: r for r in db.session.scalars(select(spec.model).where(
            any_of(spec.model.id, [record_id for _row, record_id in created])))}
        records = [record_json(object_key, by_id[record_id]) for _row, record_id in created]
    announce_records_created(_workspace(), object_key, records)


# --- updating ----------------------------------------------------------------------------------

def update_records(object_key: str, changes: list[tuple[int, dict]], user_id: int | None = None, *,
                   loaded: bool = False, room: Capacity | None = None) -> list[bool | InputError]:
    """Change records as update_record would, in order: per (record id, {field key: value}), True
    when something changed, False when nothing did, or the InputError that refused it
    (`loaded=True`: the values come from a partial RowLoader already; `room` as for
    create_records: a workspace beyond its plan's limit is read-only). The records are read with
    one query; each change is written in a savepoint of its own."""
    spec = spec_of(object_key)
    outcomes: list[bool | InputError] = []
    try:
        if object_key in PLAN_COUNTED_OBJECTS:
            (room or capacity("records")).require_writable()
    except InputError as refusal:
        return [refusal] * len(changes)
    loader = RowLoader(object_key, partial=True)
    ids = {record_id for record_id, _data in changes}
    records = {r.id: r for r in db.session.scalars(select(spec.model).where(any_of(spec.model.id, ids)))}
    for record_id, data in changes:
        record = records.get(record_id)
        if record is None:
            outcomes.append(InputError(message=_("There is no such record."), status=404))
            continue
        try:
            values = data if loaded else loader.load(data)
            with db.session.begin_nested():
                before = record_json(object_key, record)
                changed = _apply(object_key, record, values, user_id, history=True)
                db.session.flush()
        except InputError as exc:
            outcomes.append(exc)
            continue
        except IntegrityError:
            outcomes.append(refused_by_database())
            continue
        if changed:
            _emit(object_key, record.id, "updated", before, record_json(object_key, record))
        outcomes.append(bool(changed))
    return outcomes
