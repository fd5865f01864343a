"""Plugin manifests: what a plugin tells the platform and the workspace admin about itself.

A plugin module (built-in or installed) has a `MANIFEST` dict, checked here by a marshmallow
schema; a plugin whose manifest is missing or invalid is listed as broken and not loaded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")

# What a plugin may ask for; the Apps page shows these before an admin enables it.
PLUGIN_PERMISSIONS = {
    "records.read": _l("Read contacts, companies and other records"),
    "records.write": _l("Create and change records"),
    "members.read": _l("See who is in the workspace"),
    "mail.send": _l("Send e-mail on the workspace's behalf"),
    "jobs.schedule": _l("Run scheduled background jobs"),
}


class ManifestError(ValueError):
    """A plugin's manifest is missing or invalid."""


@dataclass(frozen=True)
class Manifest:
    """A checked manifest."""

    name: str
    version: str
    publisher: str
    description: Any
    title: Any
    plan: str
    permissions: tuple[str, ...]
    settings: type[Schema] | None
    default_enabled: bool
    always_on: bool

    def permission_labels(self) -> list:
        """The permissions in words, for the Apps page."""
        return [PLUGIN_PERMISSIONS[p] for p in self.permissions]


class _Text(fields.Field):
    """A plain or lazily translated string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not str(value).strip():
            raise ValidationError("must not be empty")
        return value


class _SchemaClass(fields.Field):
    """A marshmallow Schema subclass (the plugin's per-workspace settings)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, type) and issubclass(value, Schema)):
            raise ValidationError("must be a marshmallow Schema class")
        return value


class ManifestSchema(Schema):
    """The shape of MANIFEST (see docs/plugins.md, "Manifest")."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    version = fields.String(required=True, validate=validate.Length(min=1, max=40))
    publisher = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = _Text(required=True)
    title = _Text(load_default=None)
    plan = fields.String(load_default="free", validate=validate.Length(min=1, max=40))
    permissions = fields.List(fields.String(validate=validate.OneOf(list(PLUGIN_PERMISSIONS))), load_default=list)
    settings = _SchemaClass(load_default=None, allow_none=True)
    default_enabled = fields.Boolean(load_default=False)
    always_on = fields.Boolean(load_default=False)

    @validates("name")
    def _check_name(self, value: str, **_kwargs) -> None:
        if not NAME_RE.match(value):
            raise ValidationError("use lower-case letters, digits and underscores, starting with a letter")


def read_manifest(module: Any) -> Manifest:
    """The checked manifest of a plugin module; ManifestError says what is wrong."""
    raw = getattr(module, "MANIFEST", None)
    if not isinstance(raw, dict):
        raise ManifestError("the plugin has no MANIFEST dict")
    try:
        data = ManifestSchema().load(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{key}: {', '.join(map(str, msgs)) if isinstance(msgs, list) else msgs}"
                             for key, msgs in sorted(exc.normalized_messages().items()))
        raise ManifestError(f"invalid manifest: {problems}") from None
    data["title"] = data["title"] or data["name"].replace("_", " ").capitalize()
    data["permissions"] = tuple(data["permissions"])
    return Manifest(**data)
