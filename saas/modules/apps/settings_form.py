"""A plugin's settings form, rendered from the marshmallow schema it declares.

WTForms draws the fields (with CSRF and the shared field macro); the plugin's schema is the
one validator. Each schema field's `metadata` may carry a `label` and a `description`; a
String with a OneOf validator becomes a select, a List of those a set of checkboxes.
"""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict
from wtforms import (BooleanField, DateField, DecimalField, EmailField, IntegerField, SelectField, StringField,
                     TextAreaField, TimeField, URLField)
from wtforms.validators import Optional

from saas.tenants.forms import MultiCheckboxField


def _choices(field: fields.Field) -> list[tuple[str, Any]] | None:
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            labels = list(validator.labels) if validator.labels else [str(c) for c in validator.choices]
            return list(zip(validator.choices, labels))
    return None


def _form_field(name: str, field: fields.Field):
    label = field.metadata.get("label") or name.replace("_", " ").capitalize()
    description = field.metadata.get("description", "")
    kwargs = {"label": label, "description": description}
    if isinstance(field, fields.Boolean):
        return BooleanField(**kwargs)
    kwargs["validators"] = [Optional()]
    if isinstance(field, fields.List):
        return MultiCheckboxField(choices=_choices(field.inner) or [], **kwargs)
    choices = _choices(field)
    if choices is not None:
        return SelectField(choices=choices, **kwargs)
    for kind, form_field in ((fields.Email, EmailField), (fields.Url, URLField), (fields.Integer, IntegerField),
                             (fields.Float, DecimalField), (fields.Decimal, DecimalField),
                             (fields.DateTime, StringField), (fields.Date, DateField), (fields.Time, TimeField)):
        if isinstance(field, kind):
            return form_field(**kwargs)
    if field.metadata.get("multiline"):
        return TextAreaField(**kwargs)
    return StringField(**kwargs)


def settings_form(schema_class: type[Schema], current: dict[str, Any], formdata=None) -> FlaskForm:
    """A form for `schema_class` filled with the workspace's `current` settings (or the posted data)."""
    schema = schema_class()
    form_class = type(f"{schema_class.__name__}Form", (FlaskForm,),
                      {name: _form_field(name, field) for name, field in schema.fields.items() if not field.dump_only})
    if formdata is None:
        return form_class(formdata=None, data=current)
    return form_class(formdata=formdata)


def posted_values(schema_class: type[Schema], formdata: MultiDict) -> dict[str, Any]:
    """The raw posted values of the schema's fields, in the shape marshmallow loads."""
    values: dict[str, Any] = {}
    for name, field in schema_class().fields.items():
        if field.dump_only:
            continue
        if isinstance(field, fields.Boolean):
            values[name] = name in formdata
        elif isinstance(field, fields.List):
            values[name] = formdata.getlist(name)
        elif name in formdata:
            value = formdata.get(name, "")
            if value.strip() == "" and not isinstance(field, fields.String):
                continue  # an empty number or date is "not given": the default or the required error applies
            values[name] = value
    return values
