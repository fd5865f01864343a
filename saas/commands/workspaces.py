"""`saas create-workspace`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from saas.errors import InputError
from saas.extensions import db


@click.command("create-workspace")
@click.option("--name", required=True, help="The workspace (company) name.")
@click.option("--owner-email", required=True, help="E-mail of the owner; an existing user is reused.")
@click.option("--password", default=None, help="Password for a new owner account.")
@click.option("--owner-name", default=None, help="Name of a new owner account (default: from the e-mail).")
@click.option("--slug", default=None, help="Address of the workspace, /w/SLUG (default: from the name).")
@with_appcontext
def create_workspace(name: str, owner_email: str, password: str | None, owner_name: str | None, slug: str | None) -> None:
    """Create a workspace with its owner."""
    from saas.tenants import accounts
    from saas.tenants.workspaces import create_workspace as create

    try:
        user = accounts.user_by_email(owner_email)
        if user is None:
            if not password:
                raise InputError({"password": "a new owner needs --password"})
            user = accounts.create_user(owner_email, owner_name or owner_email.split("@")[0], password)
        workspace = create(name, user, slug=slug)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in exc.fields.items()) or exc.message) from None
    click.echo(f"Created workspace {workspace.name!r} at /w/{workspace.slug} (owner {user.email}).")
