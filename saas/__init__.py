"""Orchard: a multi-tenant CRM. `create_app()` builds the application; nothing runs at import."""
from __future__ import annotations

import logging

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """The app factory: settings from the environment, overridden by `config` (tests)."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder="web/templates", static_folder="web/static")
    from saas import config as settings

    app.config.from_mapping(settings.load(app.instance_path))
    if config:
        app.config.update(config)
    settings.apply_database_options(app.config)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("saas").setLevel(logging.INFO)

    from saas import json_provider, plugins

    json_provider.init_app(app)
    from saas.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    plugins.init_app(app)

    from saas.web import i18n

    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)

    from saas import models  # noqa: F401  (every model, so Alembic and relationships see them)
    from saas.tenants import request as tenant_request
    from saas.web import init_app as init_web

    tenant_request.init_app(app)
    init_web(app)
    plugins.hooks_for(app).register_blueprints(app=app)

    from saas import cli

    cli.init_app(app)
    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
