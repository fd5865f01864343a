"""The plugin manager: hook specifications, discovery through entry points, manifests, and the
one way the app calls hooks.

Built-in modules register through the same hooks as third-party plugins. Hooks that take a
`workspace` are called only through `hooks(workspace=...)`, which calls the plugins enabled
for that workspace, inside its tenant context, one plugin at a time: a plugin that raises is
logged, its error is kept for the workspace's admins (the Apps page) and its result skipped.
"""
from __future__ import annotations

import importlib
import logging
import os
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import entry_points
from typing import Any, Callable

import pluggy
from flask import Flask, abort, current_app, g, has_request_context, request

PROJECT = "saas"
ENTRY_POINT_GROUP = "saas.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

log = logging.getLogger("saas.plugins")


class HookSpecs:
    """The contract between Orchard and its plugins (documented in docs/plugins.md).

    A plugin implements any of these as module-level functions decorated with `hookimpl`,
    taking only the arguments it needs. Hooks with a `workspace` argument are called only
    for the workspaces that enabled the plugin, inside that workspace's tenant context.
    """

    @hookspec
    def register_blueprints(self, app: Flask) -> None:
        """Called once at start-up: register the plugin's blueprints on `app`.

        Workspace pages use a url_prefix starting with `WORKSPACE_PREFIX` (`/w/<workspace_slug>`):
        they get log-in, the membership check and the tenant context, and answer 404 in a
        workspace that has not enabled the plugin."""

    @hookspec
    def navigation_items(self, workspace) -> list[dict]:
        """Called per page for the workspace in context: return items
        `{"endpoint": ..., "label": ..., "icon": ...}` for the main navigation."""

    @hookspec
    def workspace_created(self, workspace) -> None:
        """Called inside the transaction that creates a workspace, within its tenant context,
        for the plugins enabled by default: add the module's default rows (pipelines ...)."""

    @hookspec
    def demo_data(self, workspace, rng) -> None:
        """Called by `saas demo` within the demo workspace's tenant context: add realistic
        sample data. `rng` is a seeded random.Random."""

    @hookspec
    def plugin_enabled(self, workspace, first_time: bool) -> None:
        """Called for one plugin when a workspace enables it, within the transaction and the
        tenant context: `first_time` is True the first time this workspace enables it (add
        defaults then); False when it comes back after being disabled (its data is still there)."""

    @hookspec
    def plugin_disabled(self, workspace) -> None:
        """Called for one plugin when a workspace disables it, within the transaction and the
        tenant context. Its data stays; do not delete it."""

    @hookspec
    def migrations_folder(self) -> str | None:
        """Called when Alembic is configured: return the absolute path of the folder that holds
        the plugin's own Alembic revisions, or None. The first revision has
        `down_revision = None`, `branch_labels = ("<plugin name>",)` and
        `depends_on = "0001_accounts"`; `saas db upgrade` runs them with every other head."""

    @hookspec
    def scheduled_jobs(self) -> list[dict]:
        """Called when the scheduler starts: return `{"func": f, "cron": "0 7 * * *"}` items
        (or `"interval": seconds`). The platform runs `f()` once per workspace that enabled the
        plugin, as a background job in that workspace's tenant context."""

    @hookspec(firstresult=True)
    def plan_includes(self, workspace_plan: str, required_plan: str) -> bool | None:
        """Called when a workspace enables a plugin: whether a workspace on `workspace_plan`
        may use a plugin that needs `required_plan`. The first answer that is not None wins;
        without one, only "free" plugins or a plan of the same name are allowed."""

    @hookspec
    def record_changed(self, workspace, object_key: str, record_id: int, change: str,
                       before: dict | None, after: dict | None) -> None:
        """Called inside the transaction that created, updated or deleted a record (`change` is
        "created", "updated" or "deleted"), in the workspace's tenant context. `before` and
        `after` are the record as JSON (None before a creation and after a deletion). Work that
        must wait for the commit goes through saas.jobs.enqueue, which waits for it."""

    @hookspec
    def records_creating(self, workspace, object_key: str, rows: list[dict]) -> None:
        """Called once for a batch of records about to be created together (a chunk of an
        import), after they are validated, inside the transaction, in the workspace's tenant
        context: `rows` holds each new record's columns as they will be written (`custom` holds
        the custom fields' stored values; `id` is there when the database gives ids before the
        insert, as PostgreSQL does). A module may set a column it owns in them (the lifecycle
        module sets the stage), so that nothing is written twice."""

    @hookspec
    def records_created(self, workspace, object_key: str, records: list[dict]) -> None:
        """Called once for a batch of records created together (a chunk of an import), inside
        the transaction that created them, in the workspace's tenant context: `records` holds
        each new record as JSON (what record_changed gets as `after`). A plugin that implements
        record_changed but not this hook gets record_changed(change="created") per record instead."""

    @hookspec
    def lifecycle_conditions(self, workspace) -> list[dict]:
        """Called when the lifecycle rule editor or an evaluation needs the condition types of the
        workspace: return `{"key", "label", "params": [{"name", "label", "type", "choices",
        "default", "required", "minimum"}], "sql": f}` items, where `f(contact, params, today)`
        returns a boolean SQLAlchemy expression over the contacts table `contact` (e.g. an EXISTS
        on the plugin's own table where `contact_id == contact.c.id`). It must compile on SQLite
        and PostgreSQL: one statement evaluates every customer at once."""

    @hookspec
    def widget_types(self, workspace) -> list[dict]:
        """Called when the widget editor or a dashboard needs the kinds of report widget of the
        workspace: return `{"key", "label", "compute": f}` items, where `f(options, period)` gets the
        widget's settings dict and its `period` (`.start`, `.end`: dates or None) and returns
        `{"columns": [...], "rows": [[...]], "figure": plotly Figure or None, "links": [url or None
        per row], "note": text}`. Orchard shows the figure, the rows as a table and as CSV, and caches
        the result per workspace until its data change."""

    @hookspec
    def record_panels(self, workspace, object_key: str, record) -> list:
        """Called when a record page renders; return a list of HTML fragments (markupsafe.Markup)
        to show as panels beside the timeline. `object_key` is the record's object ("contact",
        "company" ...) and `record` its model instance; return None or [] for records you do not
        add to."""


# The built-in modules, registered like any plugin (each has a MANIFEST).
BUILTIN_MODULES = (
    "saas.modules.apps.plugin",
    "saas.modules.core.plugin",
    "saas.modules.billing.plugin",
    "saas.api.plugin",
    "saas.modules.webhooks.plugin",
    "saas.modules.imports.plugin",
    "saas.modules.sales.plugin",
    "saas.modules.lifecycle.plugin",
    "saas.modules.analytics.plugin",
    "saas.modules.analytics.value_plugin",
)


@dataclass
class PluginInfo:
    """One plugin found at start-up: its manifest, or why it is broken and not loaded."""

    name: str
    source: str  # "builtin" or the distribution that provides the entry point
    module: Any = None
    manifest: Any = None  # saas.modules.apps.manifest.Manifest
    error: str | None = None
    blueprints: list[str] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        return self.error is not None


class Platform:
    """The plugin manager of one app: the pluggy manager plus what the platform knows of each plugin."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(HookSpecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.blueprint_plugins: dict[str, str] = {}
        # Errors raised inside hooks, keyed by (tenant id, plugin): shown to that workspace's admins.
        self.errors: dict[tuple[int | None, str], dict] = {}
        if os.environ.get("SAAS_TRACE_HOOKS"):
            self.pm.trace.root.setwriter(log.info)
            self.pm.enable_tracing()

    # -- discovery ------------------------------------------------------------------------------

    def load(self, extra_modules: tuple[str, ...] = ()) -> None:
        """Register the built-in modules, every plugin installed under the entry-point group, and
        `extra_modules` (dotted paths; the PLUGIN_MODULES setting, used to test a plugin uninstalled)."""
        for module_name in BUILTIN_MODULES:
            self._add(lambda m=module_name: importlib.import_module(m), source="builtin", fallback=module_name)
        for module_name in extra_modules:
            self._add(lambda m=module_name: importlib.import_module(m), source=module_name, fallback=module_name)
        for entry_point in entry_points(group=ENTRY_POINT_GROUP):
            dist = entry_point.dist.name if entry_point.dist else entry_point.value
            self._add(entry_point.load, source=dist, fallback=entry_point.name)

    def _add(self, load: Callable[[], Any], source: str, fallback: str) -> None:
        from saas.modules.apps.manifest import ManifestError, read_manifest

        try:
            module = load()
            if source == "builtin" and not hasattr(module, "MANIFEST"):
                module.MANIFEST = _builtin_manifest(module)
            manifest = read_manifest(module)
        except ManifestError as exc:
            self._broken(fallback, source, str(exc))
            return
        except Exception as exc:  # a plugin that fails to import must not stop the app
            log.exception("plugin %s failed to load", fallback)
            self._broken(fallback, source, f"{type(exc).__name__}: {exc}")
            return
        if self.pm.is_registered(module):
            return  # installed and also named in PLUGIN_MODULES: one registration is enough
        if manifest.name in self.plugins:
            self._broken(f"{manifest.name} ({source})", source,
                         f"another plugin named {manifest.name!r} is installed already")
            return
        try:
            self.pm.register(module, name=manifest.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            self._broken(manifest.name, source, str(exc))
            return
        self.plugins[manifest.name] = PluginInfo(manifest.name, source, module, manifest)

    def _broken(self, name: str, source: str, error: str) -> None:
        log.error("plugin %s is broken and not loaded: %s", name, error)
        self.plugins[name] = PluginInfo(name, source, error=error)

    def loaded(self) -> list[PluginInfo]:
        """The plugins that loaded, built-ins first, then by name."""
        return sorted((p for p in self.plugins.values() if not p.broken),
                      key=lambda p: (p.source != "builtin", p.name))

    # -- calling hooks --------------------------------------------------------------------------

    def call(self, hook_name: str, plugin_names: list[str] | None, workspace=None, **kwargs) -> Any:
        """Call `hook_name` on the plugins named (all when None), one at a time, skipping a
        plugin that raises. Returns the list of results (or the first non-None for firstresult)."""
        hook = getattr(self.pm.hook, hook_name)
        firstresult = bool(hook.spec and hook.spec.opts.get("firstresult"))
        if workspace is not None:
            kwargs["workspace"] = workspace
        results = []
        # pluggy's call order: last registered first, honouring tryfirst / trylast.
        for impl in reversed(hook.get_hookimpls()):
            if plugin_names is not None and impl.plugin_name not in plugin_names:
                continue
            if impl.hookwrapper or impl.wrapper:
                continue  # wrappers would see other plugins' errors; not part of the contract
            try:
                result = impl.function(*[kwargs[name] for name in impl.argnames])
                if result is not None and hook_name in _RESULT_CHECKS:
                    _RESULT_CHECKS[hook_name](result)
            except Exception as exc:
                self._record_error(impl.plugin_name, hook_name, workspace, exc)
                continue
            if result is not None:
                results.append(result)
                if firstresult:
                    return result
        return None if firstresult else results

    def _record_error(self, plugin: str, hook_name: str, workspace, exc: Exception) -> None:
        tenant_id = getattr(workspace, "id", None)
        log.error("plugin %s raised in %s for workspace %s\n%s", plugin, hook_name, tenant_id,
                  "".join(traceback.format_exception(exc)))
        self.errors[(tenant_id, plugin)] = {
            "hook": hook_name, "error": f"{type(exc).__name__}: {exc}", "at": datetime.now(timezone.utc),
        }

    def call_each(self, hook_name: str, **kwargs) -> list[tuple[str, Any]]:
        """(plugin name, result) of a platform-wide hook, for each plugin that answered."""
        out = []
        for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
            try:
                result = impl.function(*[kwargs[name] for name in impl.argnames])
            except Exception as exc:
                self._record_error(impl.plugin_name, hook_name, None, exc)
                continue
            if result is not None:
                out.append((impl.plugin_name, result))
        return out

    def error_for(self, tenant_id: int, plugin: str) -> dict | None:
        """The last error `plugin` raised for this workspace, if any."""
        return self.errors.get((tenant_id, plugin))

    def clear_error(self, tenant_id: int, plugin: str) -> None:
        self.errors.pop((tenant_id, plugin), None)

    def hook_takes_workspace(self, hook_name: str) -> bool:
        hook = getattr(self.pm.hook, hook_name)
        return hook.spec is not None and "workspace" in hook.spec.argnames

    # -- blueprints -----------------------------------------------------------------------------

    def register_blueprints(self, app: Flask) -> None:
        """Each plugin registers its blueprints; the platform notes which blueprint is whose."""
        for impl in reversed(self.pm.hook.register_blueprints.get_hookimpls()):
            before = set(app.blueprints)
            try:
                impl.function(*[{"app": app}[name] for name in impl.argnames])
            except Exception as exc:
                self._record_error(impl.plugin_name, "register_blueprints", None, exc)
                raise
            for name in set(app.blueprints) - before:
                self.blueprint_plugins[name] = impl.plugin_name
                self.plugins[impl.plugin_name].blueprints.append(name)
        app.before_request(_refuse_disabled_plugin_routes)


def _check_navigation_items(items: list[dict]) -> None:
    # An item whose endpoint does not exist would break every page of the workspace.
    for item in items:
        if item.get("endpoint") not in current_app.view_functions:
            raise ValueError(f"navigation item for unknown endpoint {item.get('endpoint')!r}")


_RESULT_CHECKS: dict[str, Callable[[Any], None]] = {"navigation_items": _check_navigation_items}


def _builtin_manifest(module) -> dict:
    # A built-in module that has not written its MANIFEST yet is an always-on part of Orchard.
    name = module.__name__.split(".")[-2]
    log.warning("built-in module %s has no MANIFEST; treating it as always on", module.__name__)
    return {"name": name, "version": "1.0.0", "publisher": "Orchard",
            "description": f"The built-in {name} module.", "always_on": True}


class _PlatformHooks:
    """`hooks()`: platform-wide hooks reach every loaded plugin; per-workspace ones (called with
    `workspace=`) reach only the plugins that workspace enabled."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    def __getattr__(self, hook_name: str) -> Callable[..., Any]:
        if hook_name == "register_blueprints":
            return lambda app: self._platform.register_blueprints(app)
        if self._platform.hook_takes_workspace(hook_name):
            def per_workspace(**kwargs):
                # A per-workspace hook reaches only the plugins that workspace enabled.
                if kwargs.get("workspace") is None:
                    raise TypeError(f"the {hook_name} hook runs per workspace: pass workspace=")
                return getattr(_WorkspaceHooks(self._platform, kwargs.pop("workspace")), hook_name)(**kwargs)

            return per_workspace
        return lambda **kwargs: self._platform.call(hook_name, None, **kwargs)


class _WorkspaceHooks:
    """`hooks(workspace=...)`: the plugins enabled for that workspace, in its tenant context."""

    def __init__(self, platform: Platform, workspace, only: str | None = None) -> None:
        self._platform, self._workspace, self._only = platform, workspace, only

    def __getattr__(self, hook_name: str) -> Callable[..., Any]:
        def call(**kwargs):
            from saas.tenants.context import current_tenant_id, tenant_context

            kwargs.pop("workspace", None)
            # plugin= is how the platform tells one plugin it was just enabled or disabled.
            names = [self._only] if self._only is not None else enabled_plugins(self._workspace)
            if current_tenant_id() == self._workspace.id:
                return self._platform.call(hook_name, names, workspace=self._workspace, **kwargs)
            with tenant_context(self._workspace.id):
                return self._platform.call(hook_name, names, workspace=self._workspace, **kwargs)

        return call


def init_app(app: Flask) -> None:
    """Build the app's plugin manager and teach Alembic where plugins keep their revisions."""
    platform = Platform()
    platform.load(tuple(app.config.get("PLUGIN_MODULES") or ()))
    app.extensions["plugin_manager"] = platform.pm
    app.extensions["saas_platform"] = platform
    from saas.modules.apps.cli import plugin_group
    from saas.modules.apps.migrations import configure_alembic

    configure_alembic(app)
    app.cli.add_command(plugin_group)


def platform_for(app: Flask) -> Platform:
    """The Platform of `app`."""
    return app.extensions["saas_platform"]


def platform() -> Platform:
    """The Platform of the current app."""
    return platform_for(current_app)


def hooks_for(app: Flask) -> _PlatformHooks:
    """The platform-wide hook caller of `app` (start-up hooks such as register_blueprints)."""
    return _PlatformHooks(platform_for(app))


def hooks(workspace=None, plugin: str | None = None):
    """The one way to call hooks: `hooks().migrations_folder()` for platform-wide hooks;
    `hooks().navigation_items(workspace=ws)` or `hooks(workspace=ws).navigation_items()` for the
    plugins `ws` enabled, in its tenant context. `plugin=` narrows the call to that one plugin."""
    if workspace is None:
        return _PlatformHooks(platform())
    return _WorkspaceHooks(platform(), workspace, only=plugin)


def announce_records_created(workspace, object_key: str, records: list[dict]) -> None:
    """Tell `workspace`'s plugins about a batch of new records: one records_created call, and
    record_changed("created") per record for a plugin that implements only record_changed."""
    hook = platform().pm.hook
    batch_aware = {impl.plugin_name for impl in hook.records_created.get_hookimpls()}
    per_record = {impl.plugin_name for impl in hook.record_changed.get_hookimpls()} - batch_aware
    hooks(workspace=workspace).records_created(object_key=object_key, records=records)
    for name in [n for n in enabled_plugins(workspace) if n in per_record]:
        for record in records:
            hooks(workspace=workspace, plugin=name).record_changed(
                object_key=object_key, record_id=record["id"], change="created", before=None, after=record)


_CACHE_KEY = "saas.enabled_plugins"


def _request_cache() -> dict:
    # Kept on the request (not g, which outlives requests when an app context is already pushed).
    return request.environ.setdefault(_CACHE_KEY, {}) if has_request_context() else {}


def enabled_plugins(workspace) -> list[str]:
    """Names of the plugins enabled for `workspace` (cached for the request)."""
    from saas.modules.apps.services import enabled_plugin_names

    cache = _request_cache()
    if workspace.id not in cache:
        cache[workspace.id] = enabled_plugin_names(workspace)
    return cache[workspace.id]


def forget_enabled_plugins(workspace) -> None:
    """Drop the request's cached list after a workspace enables or disables a plugin."""
    _request_cache().pop(workspace.id, None)


def _refuse_disabled_plugin_routes() -> None:
    """A plugin's pages answer 404 in a workspace that has not enabled it."""
    workspace = g.get("workspace")
    if workspace is None or request.blueprint is None:
        return None
    mapping = platform().blueprint_plugins
    # Nested blueprints are named "parent.child": the outermost one tells whose it is.
    plugin = mapping.get(request.blueprint) or mapping.get(request.blueprint.split(".")[0])
    if plugin is not None and plugin not in enabled_plugins(workspace):
        abort(404)
    return None
