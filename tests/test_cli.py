"""The saas command: demo, create-workspace, token create."""
from sqlalchemy import select

from saas.extensions import db
from saas.tenants import api_tokens
from saas.tenants.models import Workspace


def test_create_workspace_and_token(runner, app):
    result = runner.invoke(args=["create-workspace", "--name", "Gamma Tea", "--owner-email", "g@example.com",
                                 "--password", "gamma-Tea-2026"])
    assert result.exit_code == 0, result.output
    assert "/w/gamma-tea" in result.output
    result = runner.invoke(args=["token", "create", "--workspace", "gamma-tea", "--name", "ERP",
                                 "--scopes", "contacts:read,contacts:write"])
    assert result.exit_code == 0, result.output
    clear = result.output.strip()
    token = api_tokens.authenticate(clear)
    assert token is not None and token.scopes == ["contacts:read", "contacts:write"]
    assert clear not in {token.token_hash, token.display_prefix}


def test_bad_input_is_refused_clearly(runner, app):
    weak = runner.invoke(args=["create-workspace", "--name", "X", "--owner-email", "x@example.com", "--password", "123"])
    assert weak.exit_code != 0 and "password" in weak.output
    assert db.session.scalar(select(Workspace)) is None
    unknown = runner.invoke(args=["token", "create", "--workspace", "nope", "--name", "ERP"])
    assert unknown.exit_code != 0 and "no workspace" in unknown.output
    runner.invoke(args=["create-workspace", "--name", "Gamma", "--owner-email", "g@example.com", "--password", "gamma-Tea-2026"])
    bad_scope = runner.invoke(args=["token", "create", "--workspace", "gamma", "--name", "ERP", "--scopes", "everything"])
    assert bad_scope.exit_code != 0 and "Unknown scopes" in bad_scope.output


def test_demo_creates_acme_once_and_prints_the_login(runner, app):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "owner@acme.example" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "exists already" in second.output
    assert db.session.scalar(select(Workspace.slug)) == "acme"
