"""The three walls between workspaces (see DESIGN.md, "Tenancy and isolation").

1. ORM scoping: every query of a TenantScoped model is filtered by the tenant in context,
   and any statement naming a tenant table (ORM or Core) raises when there is none. Core
   statements over bare tables (set-based SQL) are not rewritten: they filter on tenant_id
   themselves, and on PostgreSQL row-level security backs them.
2. Same-tenant references: tenant_table_args() and tenant_fk() make every unique key lead
   with tenant_id and every reference between tenant tables include it.
3. PostgreSQL row-level security: enable_rls() in migrations; the tenant in context is
   passed to the database with set_config(..., is_local => true) in every transaction.
"""
from __future__ import annotations

from flask import has_app_context
from sqlalchemy import ForeignKey, ForeignKeyConstraint, Integer, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, Mapper, Session, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql.util import find_tables

from saas.extensions import db
from saas.tenants.context import TenantContextError, current_tenant_id, is_unscoped


class TenantScoped:
    """Mixin for every model whose rows belong to one workspace."""

    # Not indexed alone: tenant_table_args' unique (tenant_id, id) serves lookups by workspace.
    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)


def tenant_table_args(*extra):
    """__table_args__ for a tenant table: (tenant_id, id) unique, so others can reference it."""
    return (UniqueConstraint("tenant_id", "id"), *extra)


def tenant_fk(column: str, target_table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    """A reference to another tenant table that includes tenant_id, checked by the database."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
    )


@event.listens_for(Session, "do_orm_execute")
def _scope_queries(state) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if is_unscoped() or state.execution_options.get("skip_tenant_scope"):
        return
    # A selected tenant entity settles it; only other statements need the walk over every table.
    touched = _tenant_mappers_touched(state) or _tenant_tables_touched(state)
    if not touched:
        return
    tenant_id = current_tenant_id()
    if tenant_id is None:
        touched = _tenant_tables_touched(state)
        raise TenantContextError(f"query of tenant data ({', '.join(sorted(touched))}) outside a tenant context")
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
        )
    )


def _tenant_mappers_touched(state) -> set[str]:
    """Tables of the tenant entities a statement selects or changes (cheap: no walk of the SQL)."""
    return {m.local_table.name for m in state.all_mappers if issubclass(m.class_, TenantScoped)}


def _tenant_tables_touched(state) -> set[str]:
    """Names of the tenant tables a statement reads or writes, wherever they appear.

    The mappers of the selected entities are not enough: select(func.count()).select_from(Model)
    names its model only in the FROM clause, and a Core select names bare tables.
    """
    names = _tenant_mappers_touched(state)
    tables = find_tables(state.statement, check_columns=True, include_aliases=True,
                         include_joins=True, include_selects=True, include_crud=True)
    return names | {t.name for t in tables if getattr(t, "name", None) in _tenant_table_names()}


_table_names_cache: frozenset[str] | None = None


def _tenant_table_names() -> frozenset[str]:
    """Tables of every TenantScoped model, recomputed only when models are added."""
    global _table_names_cache
    if _table_names_cache is None:
        _table_names_cache = frozenset(m.local_table.name for m in db.Model.registry.mappers
                                       if issubclass(m.class_, TenantScoped))
    return _table_names_cache


@event.listens_for(Mapper, "after_configured")
def _forget_tenant_table_names() -> None:
    # New models were configured (a plugin's, a test's): list the tables again on next use.
    global _table_names_cache
    _table_names_cache = None


@event.listens_for(Session, "before_flush")
def _stamp_and_check_writes(session, flush_context, instances) -> None:
    tenant_id = current_tenant_id()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantContextError(f"new {type(obj).__name__} outside a tenant context")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id and not is_unscoped():
            raise TenantContextError(f"new {type(obj).__name__} for another workspace")
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped) or is_unscoped():
            continue
        if tenant_id is None or obj.tenant_id != tenant_id:
            raise TenantContextError(f"{type(obj).__name__} changed outside its workspace")


@event.listens_for(Session, "after_begin")
def _pass_tenant_to_database(session, transaction, connection) -> None:
    if connection.dialect.name == "postgresql":
        _set_database_tenant(connection, current_tenant_id())


def _set_database_tenant(connection, tenant_id: int | None) -> None:
    connection.execute(
        text("select set_config('app.tenant_id', :tenant, true)"),
        {"tenant": "" if tenant_id is None else str(tenant_id)},
    )


def apply_tenant_setting() -> None:
    """Pass a tenant change to a PostgreSQL transaction that is already open."""
    if not has_app_context():
        return
    session = db.session()
    if session.in_transaction() and db.engine.dialect.name == "postgresql":
        _set_database_tenant(session.connection(), current_tenant_id())


# --- wall 3, used by migrations -------------------------------------------------------------

RLS_POLICY = "tenant_isolation"
TENANT_SETTING = "NULLIF(current_setting('app.tenant_id', true), '')::integer"


def enable_rls(op, table: str) -> None:
    """Enable and force row-level security on a tenant table (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {RLS_POLICY} ON {table} "
        f"USING (tenant_id = {TENANT_SETTING}) WITH CHECK (tenant_id = {TENANT_SETTING})"
    )
