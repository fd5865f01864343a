"""Hook implementations of the imports module (see saas/plugins.py for the hook specifications)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from saas.modules.imports import models  # noqa: F401  (its tables, for Alembic and the ORM)
from saas.modules.imports.settings import ImportSettings
from saas.plugins import hookimpl

MANIFEST = {
    "name": "imports",
    "title": _l("Import and export"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("Bring customers in from CSV and Excel files with cleaning and de-duplication; "
                      "export any list; merge duplicate contacts."),
    "plan": "free",
    "settings": ImportSettings,
    "always_on": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.modules.imports import settings
    from saas.modules.imports.commands import import_command
    from saas.modules.imports.views import bp
    from saas.tenants.request import WORKSPACE_PREFIX

    settings.configure(app)
    app.register_blueprint(bp, url_prefix=f"{WORKSPACE_PREFIX}/data")
    app.cli.add_command(import_command)


@hookimpl
def navigation_items(workspace) -> list[dict]:
    from saas.tenants.request import can

    if not can("records.edit"):
        return []
    return [{"endpoint": "imports.index", "label": _l("Import"), "icon": "upload"}]


@hookimpl
def migrations_folder() -> None:
    return None  # its tables are in the main line (0006_imports)
