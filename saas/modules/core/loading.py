"""Validating many rows of one object with the generated schema, fast enough for an import.

`load_values` runs the whole marshmallow schema for one row: about 100 µs for ten fields, which
a million-row import cannot pay. `RowLoader` runs the same generated fields one by one (each
field's public `deserialize`, as the schema does), with two differences that change nothing in
the outcome:

- the validators' messages are translated once, when the loader is made: marshmallow's Email
  and URL validators format their message on every call, even for a good value, and a lazy
  message is a translation lookup each time;
- a row with any problem is handed to `load_values` itself, so a refused row gets exactly the
  messages a form would show.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

from marshmallow import ValidationError
from marshmallow import fields as fields_
from marshmallow.utils import missing

from saas.metadata.definitions import fields
from saas.metadata.schemas import load_values, schema_for


def _translated(field):
    """The field itself, or a copy whose validators carry their messages as plain text."""
    validators, changed = [], False
    for validator in field.validators:
        error = getattr(validator, "error", None)
        if error is not None and not isinstance(error, str):
            validator = copy.copy(validator)
            validator.error = str(error)
            changed = True
        validators.append(validator)
    if not changed:
        return field
    field = copy.copy(field)
    field.validators = validators
    return field


def _loader(field) -> Callable[[Any], Any]:
    """The field's deserialize; for text a shorter way to the same result: marshmallow's String
    returns a str unchanged once its validators pass (anything else takes the field's own way)."""
    if not isinstance(field, fields_.String) or field.pre_load or field.post_load:
        return field.deserialize
    validators, deserialize = tuple(field.validators), field.deserialize

    def load_text(value):
        if value.__class__ is not str:
            return deserialize(value)
        for validator in validators:
            validator(value)
        return value
    return load_text


class RowLoader:
    """`load(data)` is `load_values(object_key, data, partial)` for the workspace in context, for
    many rows: make one per batch (it reads the field definitions once)."""

    def __init__(self, object_key: str, partial: bool = False) -> None:
        self.object_key, self.partial = object_key, partial
        schema = schema_for(object_key)
        self.fields = {key: _translated(field) for key, field in schema.fields.items()}
        self.loaders = {key: _loader(field) for key, field in self.fields.items()}
        self.multi_select = {f.key for f in fields(object_key) if f.type == "multi_select"}
        # Keys a missing value must still go through: required ones (an error) and defaults.
        self.absent = [] if partial else [key for key, field in self.fields.items()
                                          if field.required or field.load_default is not missing]

    def load(self, data: dict) -> dict[str, Any]:
        """The row's values, converted; InputError (from load_values) when anything is wrong."""
        if not isinstance(data, dict):
            return load_values(self.object_key, data, partial=self.partial)
        values: dict[str, Any] = {}
        try:
            for key, value in data.items():
                # As load_values: blank text is no value, and no options chosen is an empty list.
                if isinstance(value, str) and not value.strip():
                    value = None
                if value is None and key in self.multi_select:
                    value = []
                values[key] = self.loaders[key](value)
            for key in self.absent:
                if key not in data:
                    value = self.fields[key].deserialize(missing)
                    if value is not missing:
                        values[key] = value
        except (KeyError, ValidationError):
            return load_values(self.object_key, data, partial=self.partial)
        return values
