"""The Apps module as a built-in plugin: the admin page where workspaces turn plugins on and off."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from saas.modules.apps import models  # noqa: F401  (the workspace_plugins table)
from saas.plugins import hookimpl

MANIFEST = {
    "name": "apps",
    "title": _l("Apps"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("Turn apps on and off for the workspace and change their settings."),
    "plan": "free",
    "always_on": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.modules.apps.views import bp
    from saas.tenants.request import WORKSPACE_PREFIX

    app.register_blueprint(bp, url_prefix=f"{WORKSPACE_PREFIX}/settings/apps")


@hookimpl
def navigation_items(workspace) -> list[dict]:
    from saas.tenants.request import can

    return [{"endpoint": "apps.index", "label": _l("Apps"), "icon": "grid"}] if can("settings.manage") else []


@hookimpl
def migrations_folder() -> None:
    return None  # the platform's own table is in the main line (0004_plugins)
