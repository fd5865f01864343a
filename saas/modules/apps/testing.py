"""Helpers for testing a plugin from its own package, without Orchard's test suite:
an app on a throw-away SQLite database with the plugin loaded, workspaces, enabling, log-in.
Exposed to plugins as `saas.plugin_api.testing`."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from flask import Flask

PASSWORD = "correct-horse-42"


def make_app(tmp_path: Path, plugins: Iterable[str] = (), **config) -> Flask:
    """An app on a fresh SQLite database in `tmp_path`, migrated to every head, with the plugin
    modules `plugins` (dotted paths) loaded even when not installed. Use it inside `app.app_context()`."""
    from flask_migrate import upgrade

    from saas import create_app

    url = f"sqlite:///{Path(tmp_path) / 'plugin-test.sqlite3'}"
    app = create_app({
        "TESTING": True, "SECRET_KEY": "plugin-test", "SQLALCHEMY_DATABASE_URI": url, "DATABASE_OWNER_URL": url,
        "WTF_CSRF_ENABLED": False, "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://localhost", "SMTP_HOST": None, "PLUGIN_MODULES": list(plugins), **config,
    })
    with app.app_context():
        upgrade(revision="heads")

    @app.url_value_preprocessor  # runs before every before_request function
    def _forget_previous_user(endpoint, values):
        # Tests keep one app context across requests, so g (where Flask-Login keeps the user)
        # outlives each request: two clients in one test would otherwise see each other's user.
        from flask import g

        g.pop("_login_user", None)

    return app


def workspace(name: str, owner_email: str):
    """A committed workspace with an owner (password PASSWORD); returns the workspace."""
    from saas.extensions import db
    from saas.tenants import accounts
    from saas.tenants.workspaces import create_workspace

    owner = accounts.user_by_email(owner_email) or accounts.create_user(owner_email, owner_email.split("@")[0], PASSWORD)
    created = create_workspace(name, owner)
    db.session.commit()
    return created


def enable(workspace, plugin: str) -> None:
    """Turn `plugin` on for `workspace` and commit."""
    from saas.extensions import db
    from saas.modules.apps.services import enable as enable_plugin
    from saas.tenants.context import tenant_context

    with tenant_context(workspace.id):
        enable_plugin(workspace, plugin)
        db.session.commit()


def disable(workspace, plugin: str) -> None:
    """Turn `plugin` off for `workspace` and commit."""
    from saas.extensions import db
    from saas.modules.apps.services import disable as disable_plugin
    from saas.tenants.context import tenant_context

    with tenant_context(workspace.id):
        disable_plugin(workspace, plugin)
        db.session.commit()


def login(client, email: str, password: str = PASSWORD):
    """Log `client` in."""
    return client.post("/login", data={"email": email, "password": password})


def run_scheduled_jobs() -> None:
    """Run every plugin's scheduled jobs now, for each workspace that enabled it."""
    from saas.modules.apps.scheduling import run_all_now

    run_all_now()


def in_workspace(workspace):
    """A context manager acting for `workspace` (what a request or a job of it does)."""
    from saas.tenants.context import tenant_context

    return tenant_context(workspace.id)


def outbox(workspace=None) -> list[dict]:
    """The mails sent so far (of `workspace` only, when given): {"to", "subject", "body"}."""
    from sqlalchemy import select

    from saas.extensions import db
    from saas.mail import OutboxMessage

    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if workspace is not None:
        query = query.where(OutboxMessage.tenant_id == workspace.id)
    return [{"to": m.to, "subject": m.subject, "body": m.body} for m in db.session.scalars(query)]
