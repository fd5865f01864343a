"""The per-request work every workspace page pays: the membership lookup and the tenant setting."""
from __future__ import annotations

from sqlalchemy import event, select, text

from saas.extensions import db
from saas.tenants import context
from saas.tenants.context import tenant_context
from saas.tenants.models import ApiToken
from saas.tenants.workspaces import membership_in
from tests import factories
from tests.conftest import ON_POSTGRES, login


def test_membership_in_loads_the_workspace_with_the_membership(app, two_workspaces):
    a, b = two_workspaces
    membership = membership_in(a.owner, a.slug)
    assert membership.role == "owner" and membership.workspace.id == a.id
    assert "workspace" in membership.__dict__          # loaded by the same query, not lazily
    assert membership_in(a.owner, b.slug) is None       # a workspace of someone else
    assert membership_in(a.owner, "no-such-workspace") is None


def test_a_workspace_page_answers_404_to_a_non_member(app, client, two_workspaces):
    a, b = two_workspaces
    login(client, a.owner.email)
    assert client.get(f"/w/{a.slug}/").status_code == 200
    assert client.get(f"/w/{b.slug}/").status_code == 404
    assert client.get("/w/no-such-workspace/").status_code == 404


def test_re_entering_the_workspace_in_context_does_not_touch_the_database_setting(app, two_workspaces, monkeypatch):
    a, b = two_workspaces
    syncs = []
    original = context._sync_database_setting
    monkeypatch.setattr(context, "_sync_database_setting", lambda: (syncs.append(1), original()))
    with tenant_context(a.id):
        assert len(syncs) == 1
        with tenant_context(a.id):
            assert db.session.scalars(select(ApiToken)).all() == []
        assert len(syncs) == 1
        with tenant_context(b.id):
            assert len(syncs) == 2
        assert len(syncs) == 3
        context.set_tenant(a.id)
        assert len(syncs) == 3
    assert len(syncs) == 4


def test_the_database_setting_follows_nested_contexts(app, two_workspaces):
    a, b = two_workspaces
    if not ON_POSTGRES:
        return      # the setting is PostgreSQL's (wall 3); SQLite has walls 1 and 2
    setting = text("select current_setting('app.tenant_id', true)")
    with tenant_context(a.id):
        db.session.execute(text("select 1"))           # a transaction is open
        with tenant_context(a.id):
            assert db.session.scalar(setting) == str(a.id)
        assert db.session.scalar(setting) == str(a.id)
        with tenant_context(b.id):
            assert db.session.scalar(setting) == str(b.id)
        assert db.session.scalar(setting) == str(a.id)
        db.session.commit()
        with tenant_context(a.id):
            assert db.session.scalar(setting) == str(a.id)   # a transaction begun inside
        assert db.session.scalar(setting) == str(a.id)
    assert db.session.scalar(setting) in ("", None)
    db.session.rollback()


def test_a_workspace_page_costs_few_queries(app, client, two_workspaces):
    """The tenant setting goes to the database once per change of workspace, not again for each
    service that re-enters the workspace in context (enabled plugins, navigation ...)."""
    a, _b = two_workspaces
    factories.member(a, "member@alpha.example")
    login(client, "member@alpha.example")
    client.get(f"/w/{a.slug}/")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/w/{a.slug}/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    settings = [s for s in statements if "set_config" in s]
    assert len(settings) <= 3           # the transaction's start, the workspace, the teardown
