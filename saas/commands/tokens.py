"""`saas token create`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from saas.errors import InputError


@click.group("token")
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--workspace", "slug", required=True, help="Slug of the workspace the token belongs to.")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--scopes", default=None,
              help="Comma- or space-separated scopes, e.g. 'contacts:read,contacts:write' (default: read all).")
@with_appcontext
def create(slug: str, name: str, scopes: str | None) -> None:
    """Create a token and print it (it is shown only this once)."""
    from saas.tenants import api_tokens
    from saas.tenants.workspaces import workspace_by_slug

    workspace = workspace_by_slug(slug)
    if workspace is None:
        raise click.ClickException(f"no workspace with slug {slug!r}")
    scope_list = [s for s in (scopes or "").replace(",", " ").split() if s] or None
    try:
        _row, clear = api_tokens.create_token(workspace.id, name, scope_list, created_by_id=None)
    except InputError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(clear)
