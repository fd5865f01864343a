"""Field definitions through the API: read them (the object's read scope, or metadata:admin),
add and change custom fields (metadata:admin).

    GET   /api/v1/metadata                              every object with its fields
    GET   /api/v1/metadata/<path>/fields                one object's fields
    POST  /api/v1/metadata/<path>/fields                add a custom field
    GET   /api/v1/metadata/<path>/fields/<field_id>     one field
    PATCH /api/v1/metadata/<path>/fields/<field_id>     change labels, options, flags, default
"""
from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from saas.api.auth import METADATA_ADMIN, has_scope, require_scope
from saas.api.blueprint import bp
from saas.api.errors import ApiError
from saas.api.objects import ApiObject, api_objects
from saas.api.resources import _enabled, json_body
from saas.errors import InputError
from saas.extensions import db
from saas.metadata import definitions
from saas.metadata.definitions import Field
from saas.metadata.i18n import LANGUAGES
from saas.metadata.models import FieldDefinition
from saas.metadata.schemas import flatten_messages
from saas.metadata.types import FIELD_TYPES


def field_json(f: Field | FieldDefinition) -> dict[str, Any]:
    """A field definition as JSON."""
    return {
        "id": f.id, "key": f.key, "type": f.type, "labels": dict(f.labels or {}),
        "help_texts": dict(f.help_texts or {}),
        "options": [{"value": o["value"], "labels": dict(o.get("labels") or {})} for o in (f.options or [])],
        "required": bool(f.required), "unique": bool(f.unique), "default": f.default, "group": f.group,
        "position": f.position, "hidden": bool(f.hidden), "filterable": bool(f.filterable),
        "is_system": bool(f.is_system), "reference_object": f.reference_object,
    }


def object_json(obj: ApiObject) -> dict[str, Any]:
    return {"key": obj.key, "path": obj.path, "labels": dict(obj.spec.labels),
            "plural_labels": dict(obj.spec.plural_labels),
            "fields": [field_json(f) for f in definitions.fields(obj.key)]}


class _Option(fields.Field):
    """A select option: "value" or {"value": ..., "labels": {"en": ...}}."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, dict) and isinstance(value.get("value"), str) and value["value"].strip():
            labels = value.get("labels") or {}
            if set(value) <= {"value", "labels"} and isinstance(labels, dict) and all(
                    k in LANGUAGES and isinstance(v, str) for k, v in labels.items()):
                return {"value": value["value"], "labels": labels}
        raise ValidationError(_("Give each option as text, or as {\"value\": ..., \"labels\": {...}}."))


def _texts() -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.OneOf(LANGUAGES)),
                       values=fields.String(validate=validate.Length(max=500)))


class FieldChangeSchema(Schema):
    """What PATCH may change (not the key or the type)."""

    class Meta:
        unknown = RAISE

    labels = _texts()
    help_texts = _texts()
    options = fields.List(_Option())
    required = fields.Boolean()
    unique = fields.Boolean()
    default = fields.Raw(allow_none=True)
    group = fields.String(allow_none=True, validate=validate.Length(max=80))
    hidden = fields.Boolean()
    filterable = fields.Boolean()


class FieldInputSchema(FieldChangeSchema):
    """A new custom field."""

    key = fields.String(validate=validate.Length(max=40))
    type = fields.String(required=True, validate=validate.OneOf(list(FIELD_TYPES)))
    labels = _texts()
    reference_object = fields.String(allow_none=True)


def _load(schema: Schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise InputError({k: flatten_messages(v) for k, v in messages.items()}) from None


def _may_read(obj: ApiObject) -> None:
    _enabled(obj)
    if not has_scope(METADATA_ADMIN):
        require_scope(obj.read_scope)


def _field_or_404(obj: ApiObject, field_id: int) -> FieldDefinition:
    row = definitions.field_row(obj.key, field_id)
    if row is None:
        raise ApiError(404, "not_found", _("There is no such field."))
    return row


@bp.get("/metadata")
def metadata_index():
    from saas.plugins import enabled_plugins

    enabled = enabled_plugins(g.workspace)
    readable = [o for o in api_objects().values()
                if (o.plugin is None or o.plugin in enabled) and (has_scope(METADATA_ADMIN) or has_scope(o.read_scope))]
    return {"data": [object_json(o) for o in readable]}


@bp.get("/metadata/<api_object:obj>/fields")
def list_fields(obj: ApiObject):
    _may_read(obj)
    return {"data": [field_json(f) for f in definitions.fields(obj.key)]}


@bp.post("/metadata/<api_object:obj>/fields")
def add_field(obj: ApiObject):
    _enabled(obj)
    require_scope(METADATA_ADMIN)
    data = _load(FieldInputSchema(), json_body())
    if "labels" not in data:
        raise InputError({"labels": _("Give the field a label.")})
    row = definitions.add_field(obj.key, **data)
    body = field_json(row)
    db.session.commit()
    return body, 201


@bp.get("/metadata/<api_object:obj>/fields/<int:field_id>")
def get_field(obj: ApiObject, field_id: int):
    _may_read(obj)
    return field_json(_field_or_404(obj, field_id))


@bp.patch("/metadata/<api_object:obj>/fields/<int:field_id>")
def update_field(obj: ApiObject, field_id: int):
    _enabled(obj)
    require_scope(METADATA_ADMIN)
    row = _field_or_404(obj, field_id)
    data = _load(FieldChangeSchema(), json_body())
    # update_field takes the whole form: a default not sent stays as it is.
    data.setdefault("default", row.default)
    definitions.update_field(row, **data)
    body = field_json(row)
    db.session.commit()
    return body
