"""Widget types from the widget_types hook: kinds of widget beyond the editor's chart of records
(funnels, cohorts, a plugin's own reports). See docs/plugins.md for the contract."""
from __future__ import annotations

from typing import Any

from flask import g

from saas.plugin_api import current_workspace


def registered_types() -> dict[str, dict[str, Any]]:
    """Widget types offered to the workspace in context, by key (cached for the request)."""
    from saas.plugins import enabled_plugins, hooks

    workspace = current_workspace()
    if workspace is None:
        return {}
    # g can outlive a request (an app context pushed around several): the key holds what decides.
    key = (workspace.id, tuple(enabled_plugins(workspace)))
    cached = g.get("_analytics_widget_types")
    if cached is not None and cached[0] == key:
        return cached[1]
    types: dict[str, dict] = {}
    for items in hooks(workspace=workspace).widget_types():
        for item in items or []:
            if item.get("key") and item.get("key") != "query" and callable(item.get("compute")):
                types.setdefault(item["key"], item)
    g._analytics_widget_types = (key, types)
    return types
