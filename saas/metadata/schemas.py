"""Marshmallow schemas generated from the field definitions: validation is declared, not coded.

`schema_for(object_key)` is built once per (workspace, metadata version). It loads a record's
values (standard and custom side by side, by field key) into Python values; `load_values()` turns
its errors into an InputError with one message per field.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, ValidationError

from saas.errors import InputError
from saas.metadata.definitions import cached, fields
from saas.metadata.objects import object_type
from saas.metadata.types import marshmallow_field


class RecordSchema(Schema):
    """The base of every generated schema."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": _l("There is no such field."), "type": _l("Send an object of field values.")}


def schema_for(object_key: str) -> Schema:
    """The schema of the object's editable fields in the workspace in context (cached by version)."""
    def build() -> Schema:
        declared = {}
        spec = object_type(object_key)
        for f in fields(object_key):
            if not f.editable:
                continue
            column = spec.model.__table__.c.get(f.column) if (spec and f.column) else None
            # A NOT NULL column with a default may be left out, but not emptied.
            nullable = column is None or column.nullable
            kwargs: dict[str, Any] = {"allow_none": nullable and not (f.required and not f.hidden)}
            # A hidden field is not in the forms, so it cannot be demanded from them.
            if f.required and not f.hidden:
                kwargs["required"] = True
            if f.default is not None:
                kwargs["load_default"] = f.default
            declared[f.key] = marshmallow_field(f.type, options=f.option_values, **kwargs)
        return RecordSchema.from_dict(declared, name=f"{object_key.title()}Schema")()
    return cached(f"schema:{object_key}", build)


def flatten_messages(messages: Any) -> str:
    """marshmallow's nested messages (lists, dicts by index) as one sentence."""
    if isinstance(messages, dict):
        return " ".join(dict.fromkeys(flatten_messages(m) for m in messages.values()))
    if isinstance(messages, (list, tuple)):
        return " ".join(dict.fromkeys(flatten_messages(m) for m in messages))
    return str(messages)


def load_values(object_key: str, data: dict, partial: bool = False) -> dict:
    """Validate and convert `data` ({field key: value}); raises InputError with a message per field."""
    if not isinstance(data, dict):
        raise InputError(message=str(RecordSchema.error_messages["type"]))
    # Blank text is no value: a required field left blank is missing, not "".
    data = {key: None if isinstance(value, str) and not value.strip() else value for key, value in data.items()}
    for f in fields(object_key):
        if f.type == "multi_select" and f.key in data and data[f.key] is None:
            data[f.key] = []                  # no options chosen is an empty list
    try:
        return schema_for(object_key).load(data, partial=partial)
    except ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        fields_ = {key: flatten_messages(msgs) for key, msgs in errors.items() if key != "_schema"}
        message = flatten_messages(errors["_schema"]) if "_schema" in errors else None
        raise InputError(fields_, message=message) from None
