"""The three walls between workspaces, each proven on its own (DESIGN.md, "Tenancy and isolation")."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from saas.extensions import db
from saas.tenants import api_tokens
from saas.tenants.context import TenantContextError, tenant_context, unscoped
from saas.tenants.isolation import TenantScoped
from saas.tenants.models import ApiToken, Invitation
from tests.conftest import ON_POSTGRES

# Tables that decide which tenant a request acts for; everything else with tenant_id is tenant data.
CONTROL_PLANE = {"workspaces", "users", "memberships", "mail_outbox", "alembic_version"}


def tenant_models():
    return [m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, TenantScoped)]


# --- wall 1: ORM scoping ----------------------------------------------------------------------

def test_a_tenant_query_outside_a_tenant_context_raises(app, two_workspaces):
    a, _b = two_workspaces
    api_tokens.create_token(a.id, "ERP", None, a.owner.id)
    with pytest.raises(TenantContextError):
        db.session.scalars(select(ApiToken)).all()
    with pytest.raises(TenantContextError):
        db.session.get(ApiToken, 1)


def test_a_count_naming_the_model_only_in_from_is_scoped_too(app, two_workspaces):
    a, b = two_workspaces
    api_tokens.create_token(a.id, "A's token", None, a.owner.id)
    api_tokens.create_token(b.id, "B's token", None, b.owner.id)
    count = select(func.count()).select_from(ApiToken)
    with tenant_context(a.id):
        assert db.session.scalar(count) == 1
    with pytest.raises(TenantContextError):
        db.session.scalar(count)
    with tenant_context(a.id):
        assert db.session.query(ApiToken).count() == 1  # a count wraps the query in a subquery
    with pytest.raises(TenantContextError):
        db.session.execute(select(ApiToken.__table__.c.name)).all()


def test_queries_see_only_the_workspace_in_context(app, two_workspaces):
    a, b = two_workspaces
    api_tokens.create_token(a.id, "A's token", None, a.owner.id)
    api_tokens.create_token(b.id, "B's token", None, b.owner.id)
    with tenant_context(a.id):
        assert [t.name for t in db.session.scalars(select(ApiToken))] == ["A's token"]
    with tenant_context(b.id):
        assert [t.name for t in db.session.scalars(select(ApiToken))] == ["B's token"]


def test_writes_are_stamped_and_cannot_cross(app, two_workspaces):
    a, b = two_workspaces
    token, _ = api_tokens.create_token(a.id, "A's token", None, a.owner.id)
    with tenant_context(a.id):
        assert token.tenant_id == a.id
        token_id = token.id
    with tenant_context(b.id):
        db.session.add(ApiToken(tenant_id=a.id, name="sneaky", token_hash="x" * 64, display_prefix="x", scopes=[]))
        with pytest.raises(TenantContextError):
            db.session.flush()
        db.session.rollback()
    with tenant_context(a.id):
        row = db.session.get(ApiToken, token_id)
    with tenant_context(b.id):
        row.name = "renamed from B"
        with pytest.raises(TenantContextError):
            db.session.flush()
        db.session.rollback()


def test_every_tenant_model_is_scoped(app):
    """Each tenant table's model is TenantScoped, so none escapes wall 1."""
    tables_with_tenant = {t.name for t in db.metadata.sorted_tables if "tenant_id" in t.c} - CONTROL_PLANE
    scoped = {m.__tablename__ for m in tenant_models()}
    assert tables_with_tenant <= scoped, f"not TenantScoped: {tables_with_tenant - scoped}"


# --- wall 2: same-tenant references -----------------------------------------------------------

def test_every_reference_between_tenant_tables_includes_tenant_id(app):
    scoped = {m.__tablename__ for m in tenant_models()}
    for table in db.metadata.sorted_tables:
        if table.name not in scoped:
            continue
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name in scoped:
                assert "tenant_id" in fk.column_keys, f"{table.name} -> {fk.referred_table.name} lacks tenant_id"


def test_every_unique_key_and_index_of_a_tenant_table_leads_with_tenant_id(app):
    scoped = {m.__tablename__ for m in tenant_models()}
    inspector = inspect(db.engine)
    for table in scoped:
        for unique in inspector.get_unique_constraints(table):
            assert unique["column_names"][0] == "tenant_id", f"{table}: {unique}"
        for index in inspector.get_indexes(table):
            # A custom field's index is partial, one workspace's rows only: its predicate is the lead.
            one_workspace = re.fullmatch(r"\(tenant_id = \d+\)",
                                         index.get("dialect_options", {}).get("postgresql_where") or "")
            assert index["column_names"][0] == "tenant_id" or one_workspace, f"{table}: {index}"


# --- wall 3: PostgreSQL row-level security ----------------------------------------------------

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="row-level security is PostgreSQL's (wall 3)")


@postgres_only
def test_rls_is_enabled_and_forced_on_every_tenant_table(app):
    tables = {t.name for t in db.metadata.sorted_tables if "tenant_id" in t.c} - CONTROL_PLANE
    rows = db.session.execute(text(
        "select relname, relrowsecurity, relforcerowsecurity from pg_class "
        "where relkind = 'r' and relnamespace = 'public'::regnamespace"
    )).all()
    flags = {name: (enabled, forced) for name, enabled, forced in rows}
    for table in tables:
        assert flags[table] == (True, True), f"{table}: RLS enabled/forced = {flags[table]}"


@postgres_only
def test_the_app_role_owns_nothing_and_cannot_bypass_rls(app):
    role = db.session.execute(text(
        "select rolsuper, rolbypassrls from pg_roles where rolname = current_user")).one()
    assert tuple(role) == (False, False)
    owned = db.session.scalar(text(
        "select count(*) from pg_tables where schemaname = 'public' and tableowner = current_user"))
    assert owned == 0


@postgres_only
def test_raw_sql_without_a_tenant_setting_returns_no_rows(app, two_workspaces):
    a, b = two_workspaces
    api_tokens.create_token(a.id, "A's token", None, a.owner.id)
    api_tokens.create_token(b.id, "B's token", None, b.owner.id)
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from api_tokens")).scalar() == 0
        conn.execute(text("select set_config('app.tenant_id', :t, false)"), {"t": str(a.id)})
        assert conn.execute(text("select name from api_tokens")).scalars().all() == ["A's token"]
        with pytest.raises(Exception, match="row-level security"):
            conn.execute(text(
                "insert into api_tokens (tenant_id, name, token_hash, display_prefix, scopes, created_at) "
                "values (:b, 'x', 'y', 'z', '[]', now())"), {"b": b.id})
    engine.dispose()


@postgres_only
def test_unscoped_orm_reads_still_meet_rls(app, two_workspaces):
    a, _b = two_workspaces
    api_tokens.create_token(a.id, "A's token", None, a.owner.id)
    db.session.commit()
    with unscoped():
        assert db.session.scalars(select(Invitation)).all() == []
        assert db.session.scalars(select(ApiToken)).all() == []
