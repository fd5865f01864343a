"""The plugin manager: hook specifications, discovery through entry points, and the hooks
the app calls. Built-in modules register through the same hooks as third-party plugins."""
from __future__ import annotations

from importlib.metadata import entry_points

import pluggy
from flask import Flask, current_app

PROJECT = "saas"
ENTRY_POINT_GROUP = "saas.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class HookSpecs:
    """The contract between Orchard and its plugins."""

    @hookspec
    def register_blueprints(self, app: Flask) -> None:
        """Called once at start-up: register the plugin's blueprints on `app`.

        Workspace pages use a url_prefix starting with `/w/<workspace_slug>`."""

    @hookspec
    def navigation_items(self, workspace) -> list[dict]:
        """Called per page for the workspace in context: return items
        `{"endpoint": ..., "label": ..., "icon": ...}` for the main navigation."""

    @hookspec
    def workspace_created(self, workspace) -> None:
        """Called inside the transaction that creates a workspace, within its tenant context:
        add the module's default rows (pipelines, dashboards ...)."""

    @hookspec
    def demo_data(self, workspace, rng) -> None:
        """Called by `saas demo` within the demo workspace's tenant context: add realistic
        sample data. `rng` is a seeded random.Random."""


# The built-in modules, registered like any plugin.
BUILTIN_MODULES = (
    "saas.modules.core.plugin",
    "saas.modules.billing.plugin",
)


def build_plugin_manager() -> pluggy.PluginManager:
    """A manager with the hook specs, the built-in modules and every installed plugin."""
    import importlib

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(HookSpecs)
    for module_name in BUILTIN_MODULES:
        pm.register(importlib.import_module(module_name), name=module_name)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if pm.get_plugin(entry_point.name) is None:
            pm.register(entry_point.load(), name=entry_point.name)
    return pm


def init_app(app: Flask) -> None:
    app.extensions["plugin_manager"] = build_plugin_manager()


def hooks_for(app: Flask):
    """The hook caller of `app`'s plugin manager."""
    return app.extensions["plugin_manager"].hook


def hooks():
    """The hook caller of the current app's plugin manager."""
    return hooks_for(current_app)
