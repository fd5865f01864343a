"""Field changes that touch stored values: type changes (counted first), removal (hidden at
once, values purged by a job), and PostgreSQL expression indexes for filterable fields (built
by a job, concurrently, as the role that owns the tables)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Iterator

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import ValidationError
from sqlalchemy import create_engine, delete, func, literal_column, select, text, update

from saas.errors import InputError
from saas.extensions import db
from saas.jobs import enqueue, report_progress
from saas.metadata import definitions
from saas.metadata.models import FieldDefinition
from saas.metadata.objects import object_type
from saas.metadata.query import index_expression_sql
from saas.metadata.types import FIELD_TYPES, marshmallow_field, to_storage

log = logging.getLogger("saas.metadata")
BATCH = 1000


def _model_of(row: FieldDefinition):
    return object_type(definitions.object_key_of(row)).model


def _stored_values(row: FieldDefinition) -> Iterator[tuple[Any, Any]]:
    """(record, stored value) for every record of the field's object that has a value."""
    model = _model_of(row)
    for record in db.session.scalars(select(model).execution_options(yield_per=BATCH)):
        value = (record.custom or {}).get(row.key)
        if value is not None:
            yield record, value


def _convert(value: Any, type_key: str, options: list[str]) -> Any:
    """A stored value as the new type would store it; ValueError when it does not fit."""
    if isinstance(value, list):
        if type_key == "multi_select":
            candidate: Any = value
        elif len(value) == 1:
            candidate = value[0]
        else:
            raise ValueError("several values")
    elif type_key == "multi_select":
        candidate = [value]
    elif isinstance(value, bool) and type_key in ("text", "long_text"):
        candidate = "true" if value else "false"
    elif type_key in ("text", "long_text", "email", "phone", "url", "single_select") and not isinstance(value, str):
        candidate = str(value)
    else:
        candidate = value
    try:
        return to_storage(type_key, marshmallow_field(type_key, options=options).deserialize(candidate))
    except ValidationError:
        raise ValueError("does not fit") from None


def count_unconvertible(row: FieldDefinition, new_type: str, options: list[dict] | None = None) -> tuple[int, int]:
    """(how many stored values would not convert to `new_type`, how many values there are)."""
    option_values = [o["value"] for o in (options if options is not None else row.options or [])]
    bad = total = 0
    for _record, value in _stored_values(row):
        total += 1
        try:
            _convert(value, new_type, option_values)
        except ValueError:
            bad += 1
    return bad, total


def change_type(row: FieldDefinition, new_type: str, options=None, confirmed_loss: int | None = None) -> int:
    """Change a custom field's type, converting its values; values that do not convert are
    dropped, but only when `confirmed_loss` equals their count. Returns how many were dropped."""
    if row.is_system:
        raise InputError({"type": _("The type of a standard field cannot change.")})
    if new_type not in FIELD_TYPES:
        raise InputError({"type": _("Choose a field type.")})
    if new_type == row.type:
        return 0
    if new_type == "reference":
        raise InputError({"type": _("Add a new reference field instead: existing values cannot become references.")})
    parsed = definitions.parse_options(options) if options is not None else list(row.options or [])
    if new_type in ("single_select", "multi_select") and not parsed:
        raise InputError({"options": _("List at least one option, one per line.")})
    bad, _total = count_unconvertible(row, new_type, parsed)
    if bad and confirmed_loss != bad:
        raise InputError({"type": ngettext(
            "%(num)d stored value would not convert to the new type and would be lost.",
            "%(num)d stored values would not convert to the new type and would be lost.", bad)},
            code="confirm_loss", status=409)
    option_values = [o["value"] for o in parsed]
    for record, value in list(_stored_values(row)):
        custom = dict(record.custom)
        try:
            custom[row.key] = _convert(value, new_type, option_values)
        except ValueError:
            custom.pop(row.key, None)
        record.custom = custom
    had_index = row.index_state is not None
    row.type = new_type
    row.options = parsed if new_type in ("single_select", "multi_select") else []
    row.default = None
    row.index_state = None
    db.session.flush()
    definitions.bump_version()
    if had_index:
        enqueue(drop_field_index, row.id, definitions.object_key_of(row))
    if row.filterable:
        request_index(row)
    return bad


def remove_field(row: FieldDefinition) -> None:
    """Remove a custom field: hidden at once, its values purged (and the row deleted) by a job."""
    if row.is_system:
        raise InputError(message=_("Standard fields can be hidden, not removed."))
    row.removed_at = datetime.now(timezone.utc)
    row.hidden = True
    db.session.flush()
    definitions.bump_version()
    enqueue(purge_field_values, row.id)


def purge_field_values(field_id: int) -> int:
    """Job: delete a removed field's values from every record, then its index and definition."""
    row = db.session.scalar(select(FieldDefinition).where(FieldDefinition.id == field_id))
    if row is None or row.removed_at is None:
        return 0
    model = _model_of(row)
    custom = model.__table__.c.custom
    if db.engine.dialect.name == "postgresql":
        stripped = custom.op("-")(literal_column(f"'{row.key}'"))
        has_key = custom.op("?")(literal_column(f"'{row.key}'"))
    else:
        stripped = func.json_remove(custom, literal_column(f"'$.{row.key}'"))
        has_key = func.json_type(custom, literal_column(f"'$.{row.key}'")).is_not(None)
    total = db.session.scalar(select(func.count()).select_from(model).where(has_key)) or 0
    done = 0
    while True:
        ids = list(db.session.scalars(select(model.id).where(has_key).limit(BATCH)))
        if not ids:
            break
        db.session.execute(update(model).where(model.id.in_(ids)).values(custom=stripped)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        done += len(ids)
        report_progress(done, total)
    object_key = definitions.object_key_of(row)
    had_index = row.index_state is not None
    db.session.execute(delete(FieldDefinition).where(FieldDefinition.id == field_id))
    definitions.bump_version()
    db.session.commit()
    if had_index:
        drop_field_index(field_id, object_key)
    log.info("purged %s values of removed field %s", done, field_id)
    return done


# --- expression indexes (PostgreSQL) ---------------------------------------------------------

def index_name(row_id: int, table: str) -> str:
    return f"ix_cf_{table}_{row_id}"


def statistics_name(row_id: int, table: str) -> str:
    return f"st_cf_{table}_{row_id}"


def index_statements(field, table: str, tenant_id: int, row_id: int) -> list[str]:
    """The SQL that indexes a custom field for one workspace: the partial expression index, and
    statistics on the expression. The planner takes no statistics from a partial index; without
    them it guesses a range matches 0.5% of rows and picks bitmap scans of half the table."""
    expression = index_expression_sql(field)
    name, statistics = index_name(row_id, table), statistics_name(row_id, table)
    return [f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
            f"CREATE INDEX CONCURRENTLY {name} ON {table} ({expression}, id) WHERE tenant_id = {int(tenant_id)}",
            f"DROP STATISTICS IF EXISTS {statistics}",
            f"CREATE STATISTICS {statistics} ON ({expression}) FROM {table}",
            f"ANALYZE {table}"]


def request_index(row: FieldDefinition) -> None:
    """Ask for the expression index of a filterable custom field (PostgreSQL; a no-op elsewhere)."""
    if row.is_system or db.engine.dialect.name != "postgresql" or row.index_state in ("building", "ready"):
        return
    row.index_state = "building"
    db.session.flush()
    definitions.bump_version()
    enqueue(build_field_index, row.id)


def _owner_engine():
    return create_engine(current_app.config["DATABASE_OWNER_URL"], isolation_level="AUTOCOMMIT")


def build_field_index(field_id: int) -> str:
    """Job: CREATE INDEX CONCURRENTLY on the field's typed expression, for this workspace's rows only."""
    row = db.session.scalar(select(FieldDefinition).where(FieldDefinition.id == field_id))
    if row is None or row.removed_at is not None or not row.filterable:
        return "skipped"
    field = definitions.snapshot(row)
    model = object_type(field.object_key).model
    table, tenant_id = model.__tablename__, int(row.tenant_id)
    name = index_name(row.id, table)
    # The app's own transaction must end first: a concurrent build waits for every open one.
    db.session.commit()
    engine = _owner_engine()
    state = "ready"
    try:
        with engine.connect() as conn:
            for statement in index_statements(field, table, tenant_id, field_id):
                conn.execute(text(statement))
    except Exception:  # a bad value cannot exist (values are typed), but a failed build must show
        log.exception("building index %s failed", name)
        state = "failed"
    finally:
        engine.dispose()
    row = db.session.scalar(select(FieldDefinition).where(FieldDefinition.id == field_id))
    if row is not None:
        row.index_state = state
        definitions.bump_version()
        db.session.commit()
    return state


def drop_field_index(field_id: int, object_key: str) -> None:
    """Job: drop a field's expression index, if there is one (PostgreSQL)."""
    if db.engine.dialect.name != "postgresql":
        return
    table = object_type(object_key).model.__tablename__
    db.session.commit()
    engine = _owner_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {index_name(field_id, table)}"))
            conn.execute(text(f"DROP STATISTICS IF EXISTS {statistics_name(field_id, table)}"))
    finally:
        engine.dispose()
