"""Object types: which model holds each object's records and which standard fields it has.

Modules register their objects at start-up (`register_object(app, ObjectType(...))`); each
workspace then gets object and field definitions for them (saas.metadata.definitions), which the
workspace's admins extend with custom fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class StandardField:
    """A field backed by a column of the object's table."""

    key: str
    type: str
    labels: dict
    column: str | None = None            # the model attribute; defaults to the key
    required: bool = False
    unique: bool = False
    editable: bool = True
    options: tuple = ()                  # ({"value", "labels"}, ...) for selects
    reference_object: str | None = None
    group: str | None = None
    hidden: bool = False                 # hidden from forms and lists by default

    @property
    def attribute(self) -> str:
        return self.column or self.key


@dataclass(frozen=True)
class ObjectType:
    key: str
    model: Any
    labels: dict
    plural_labels: dict
    standard_fields: tuple[StandardField, ...]
    title_field: str = "name"            # the field that names a record
    endpoint: str | None = None          # blueprint name of its pages, e.g. "contacts"
    searchable: tuple[str, ...] = ()     # standard fields the global search looks in
    default_columns: tuple[str, ...] = ()
    position: int = 0
    extra: dict = field(default_factory=dict)

    def standard(self, key: str) -> StandardField | None:
        return next((f for f in self.standard_fields if f.key == key), None)


def register_object(app: Flask, object_type: ObjectType) -> None:
    """Make an object known to `app`; registering a key twice is a start-up error."""
    registry = app.extensions.setdefault("saas_objects", {})
    if object_type.key in registry:
        raise RuntimeError(f"object {object_type.key!r} registered twice")
    registry[object_type.key] = object_type


def object_types() -> dict[str, ObjectType]:
    """Every registered object type of the current app, by key."""
    return dict(sorted(current_app.extensions.get("saas_objects", {}).items(), key=lambda kv: kv[1].position))


def object_type(key: str) -> ObjectType | None:
    """The registered object type called `key`, or None."""
    return current_app.extensions.get("saas_objects", {}).get(key)
