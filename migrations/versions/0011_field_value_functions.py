"""Custom-field value functions that row-level security lets into index conditions (PostgreSQL)

Under forced row-level security, PostgreSQL evaluates a query's own conditions before the
policy's only when every function in them is LEAKPROOF (cannot reveal a row through an error).
`->>`, casts to numeric and numeric comparisons are not marked so, which kept every filter and
keyset condition on a custom field out of its expression index: deep pages scanned.

Two functions read a custom value without ever raising, and are marked LEAKPROOF:
orchard_field_text (the C function behind `->>` under another name) and orchard_field_number
(NULL unless the value is a JSON number that fits a double; float8 comparisons are leakproof).
Marking a function LEAKPROOF needs a superuser; without one the functions are made all the same
(queries stay correct) but RLS keeps such filters out of the indexes, and a warning says so.

Field indexes become `(value, id) WHERE tenant_id = N`: the partial predicate already fixes the
workspace, and a leading tenant_id column no condition constrains made every lookup a full scan.
Each gets statistics on its expression too (the planner reads none from a partial index).

Revision ID: 0011_field_value_functions
Revises: 0002_core_records
Create Date: 2026-11-25
"""
import logging
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011_field_value_functions'
down_revision = '0002_core_records'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

TEXT_LEAKPROOF = """
CREATE OR REPLACE FUNCTION orchard_field_text(doc jsonb, key text) RETURNS text
LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS 'jsonb_object_field_text'
"""
TEXT_PLAIN = """
CREATE OR REPLACE FUNCTION orchard_field_text(doc jsonb, key text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT doc ->> key'
"""
# plpgsql, not sql: a sql function would be inlined into the very casts that are not leakproof.
NUMBER = """
CREATE OR REPLACE FUNCTION orchard_field_number(doc jsonb, key text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE {leakproof} AS $$
DECLARE
    value jsonb := doc -> key;
    exact numeric;
BEGIN
    IF jsonb_typeof(value) <> 'number' THEN
        RETURN NULL;
    END IF;
    exact := value::numeric;
    IF exact = 0 OR abs(exact) BETWEEN 1e-300 AND 1e300 THEN
        RETURN exact::double precision;
    END IF;
    RETURN NULL;
END
$$
"""


def _is_superuser(bind) -> bool:
    return bool(bind.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())


def _field_indexes(bind) -> list[tuple[int, str, int, str, str]]:
    """(field id, table, tenant id, field key, field type) of every custom-field index there is."""
    rows = bind.execute(sa.text(
        "SELECT f.id, i.tablename, f.tenant_id, f.key, f.type FROM pg_indexes i "
        "JOIN field_definitions f ON i.indexname = 'ix_cf_' || i.tablename || '_' || f.id "
        "WHERE i.schemaname = current_schema()"))
    return [tuple(r) for r in rows]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    leakproof = _is_superuser(bind)
    op.execute(TEXT_LEAKPROOF if leakproof else TEXT_PLAIN)
    op.execute(NUMBER.format(leakproof="LEAKPROOF" if leakproof else ""))
    if not leakproof:
        log.warning("The migration role is not a superuser: orchard_field_text/orchard_field_number are not "
                    "LEAKPROOF, so row-level security keeps filters on custom fields out of their indexes.")
    # Rebuild the field indexes there are on the new expressions (at upgrade time, not concurrently).
    from saas.metadata.changes import index_statements
    from saas.metadata.types import FIELD_TYPES

    for field_id, table, tenant_id, key, type_key in _field_indexes(bind):
        field = SimpleNamespace(key=key, kind=FIELD_TYPES[type_key].kind)
        for statement in index_statements(field, table, tenant_id, field_id):
            op.execute(statement.replace(" CONCURRENTLY", ""))


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS orchard_field_number(jsonb, text) CASCADE")
    op.execute("DROP FUNCTION IF EXISTS orchard_field_text(jsonb, text) CASCADE")
