"""The API as a built-in, always-on plugin: registers /api/v1 and the API documentation page."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from saas.api import models  # noqa: F401  (the idempotency keys table)
from saas.plugins import hookimpl

MANIFEST = {
    "name": "api",
    "title": _l("API"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("The REST API under /api/v1, with tokens, an OpenAPI document and its documentation page."),
    "plan": "free",
    "always_on": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.api import docs, errors, metadata, resources  # noqa: F401  (routes register on import)
    from saas.api.blueprint import bp
    from saas.api.objects import ApiObjectConverter, ensure_scopes
    from saas.extensions import csrf
    from saas.tenants.request import WORKSPACE_PREFIX

    app.url_map.converters["api_object"] = ApiObjectConverter
    # Bearer tokens, no cookies: nothing for a cross-site form to ride on.
    csrf.exempt(bp)
    errors.install(app)
    app.register_blueprint(bp)
    app.register_blueprint(docs.bp, url_prefix=f"{WORKSPACE_PREFIX}/settings/api")
    # Objects registered by plugins loaded after this one get their scopes before any request.
    app.before_request(ensure_scopes)


@hookimpl
def navigation_items(workspace) -> list[dict]:
    from saas.tenants.request import can

    return [{"endpoint": "api_docs.index", "label": _l("API"), "icon": "code"}] if can("tokens.manage") else []
