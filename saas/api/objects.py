"""Which objects the API serves: every object type registered with the metadata layer.

A module needs no API code of its own: `register_object(app, ObjectType(...))` is the one
declaration. Its records are served at `/api/v1/<path>`, where path is the object's
`endpoint` (its blueprint name, e.g. "contacts") or "<key>s", and tokens need the scopes
"<path>:read" / "<path>:write". `ObjectType(extra={"api": False})` keeps an object out of the
API; `extra={"api_path": "people"}` serves it under another path. An object whose pages belong
to a plugin (its endpoint is that plugin's blueprint) answers 404 in workspaces that have not
enabled the plugin, as its pages do.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from werkzeug.routing import BaseConverter, ValidationError

from saas.metadata.objects import ObjectType, object_types


@dataclass(frozen=True)
class ApiObject:
    """An object as the API serves it."""

    key: str            # the metadata object key ("contact")
    path: str           # the URL segment ("contacts")
    spec: ObjectType

    @property
    def read_scope(self) -> str:
        return f"{self.path}:read"

    @property
    def write_scope(self) -> str:
        return f"{self.path}:write"

    @property
    def plugin(self) -> str | None:
        """The plugin whose blueprint serves the object's pages, if any."""
        from saas.plugins import platform

        return platform().blueprint_plugins.get(self.spec.endpoint) if self.spec.endpoint else None


def api_path(spec: ObjectType) -> str:
    return spec.extra.get("api_path") or spec.endpoint or f"{spec.key}s"


def api_objects() -> dict[str, ApiObject]:
    """The objects the API serves, by URL path, in the objects' order (kept until an object is
    registered: every API request asks, twice)."""
    registry = current_app.extensions.get("saas_objects", {})
    stamp = tuple(map(id, registry.values()))
    kept = current_app.extensions.get("saas_api_objects")
    if kept is None or kept[0] != stamp:
        kept = current_app.extensions["saas_api_objects"] = (stamp, _api_objects())
    return kept[1]


def _api_objects() -> dict[str, ApiObject]:
    out = {}
    for spec in object_types().values():
        if spec.extra.get("api", True) is False:
            continue
        path = api_path(spec)
        out[path] = ApiObject(spec.key, path, spec)
    return out


def api_object_for_key(object_key: str) -> ApiObject | None:
    """The API object of a metadata object key, or None."""
    return next((o for o in api_objects().values() if o.key == object_key), None)


class ApiObjectConverter(BaseConverter):
    """`<api_object:obj>` in a rule: matches only the paths of served objects."""

    regex = r"[a-z][a-z0-9_]*"

    def to_python(self, value: str) -> ApiObject:
        obj = api_objects().get(value) if current_app else None
        if obj is None:
            raise ValidationError()
        return obj

    def to_url(self, value) -> str:
        return value.path if isinstance(value, ApiObject) else str(value)


def ensure_scopes() -> None:
    """Make "<path>:read" / "<path>:write" grantable for every object the API serves.

    saas.tenants.api_tokens.SCOPES lists the core objects; objects that modules and plugins
    register later are added here (before each request: a few dict lookups), so the token form
    offers them and create_token accepts them."""
    from flask_babel import lazy_gettext as _l

    from saas.tenants.api_tokens import SCOPES

    for obj in api_objects().values():
        if obj.read_scope not in SCOPES:
            SCOPES[obj.read_scope] = _l("Read %(object)s", object=obj.path)
        if obj.write_scope not in SCOPES:
            SCOPES[obj.write_scope] = _l("Write %(object)s", object=obj.path)
