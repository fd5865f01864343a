"""The main navigation of a workspace: the platform's items plus each enabled module's."""
from __future__ import annotations

from flask import g, url_for
from flask_babel import lazy_gettext as _l

from saas.plugins import hooks
from saas.tenants.request import can


def navigation() -> list[dict]:
    """Items for the workspace in context, each {"url", "label", "endpoint"}."""
    items = [{"endpoint": "workspace.home", "label": _l("Home"), "icon": "home"}]
    for plugin_items in hooks().navigation_items(workspace=g.workspace):
        items.extend(plugin_items or [])
    if can("workspace.view"):
        items.append({"endpoint": "settings.members", "label": _l("Team"), "icon": "users"})
    if can("settings.manage"):
        items.append({"endpoint": "settings.general", "label": _l("Settings"), "icon": "settings"})
    for item in items:
        item["url"] = url_for(item["endpoint"])
    return items
