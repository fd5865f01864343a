"""`saas demo`: the database brought to head and a demo workspace full of realistic data."""
from __future__ import annotations

import random

import click
from flask.cli import with_appcontext

from saas.extensions import db

DEMO_EMAIL = "owner@acme.example"
DEMO_PASSWORD = "orchard-demo-2026"


@click.command("demo")
@click.option("--seed", default=2026, show_default=True, help="Seed for the generated data.")
@with_appcontext
def demo(seed: int) -> None:
    """Create (once) the demo workspace "Acme" and print its owner's login."""
    from flask_migrate import upgrade

    from saas.plugins import hooks
    from saas.tenants import accounts
    from saas.tenants.context import tenant_context
    from saas.tenants.models import Membership
    from saas.tenants.workspaces import create_workspace, workspace_by_slug

    upgrade(revision="heads")
    workspace = workspace_by_slug("acme")
    if workspace is None:
        owner = accounts.user_by_email(DEMO_EMAIL) or accounts.create_user(DEMO_EMAIL, "Lin Wei", DEMO_PASSWORD)
        workspace = create_workspace("Acme", owner, slug="acme")
        rng = random.Random(seed)
        with tenant_context(workspace.id):
            # Commit inside the context: the modules' demo rows are this workspace's.
            for email, name, role in TEAM:
                user = accounts.user_by_email(email) or accounts.create_user(email, name, DEMO_PASSWORD)
                db.session.add(Membership(workspace=workspace, user=user, role=role))
            db.session.flush()
            hooks().demo_data(workspace=workspace, rng=rng)
            db.session.commit()
        click.echo("Created the demo workspace Acme.")
    else:
        click.echo("The demo workspace Acme exists already.")
    click.echo(f"Log in at /login as {DEMO_EMAIL} with password {DEMO_PASSWORD}")


TEAM = [
    ("zhang.min@acme.example", "张敏", "admin"),
    ("chen.jie@acme.example", "陈杰", "member"),
    ("maria.lopez@acme.example", "Maria Lopez", "member"),
    ("wang.fang@acme.example", "王芳", "viewer"),
]
