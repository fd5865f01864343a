"""The OpenAPI 3.0 document of one workspace, built from its field definitions.

Request bodies come from the same generated marshmallow schemas that validate them
(saas.metadata.schemas.schema_for, converted by apispec's marshmallow plugin), so a custom
field appears with its type, its options (as an enum) and its limits. Responses describe
records loosely typed (every field nullable, no options): a value stored before an option
was removed must not make a response "wrong". The document is cached per metadata version.
"""
from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import g

from saas.api.bulk import MAX_ITEMS
from saas.api.objects import ApiObject, api_objects
from saas.api.params import DEFAULT_LIMIT
from saas.metadata.definitions import Field, cached, fields
from saas.metadata.query import MAX_LIMIT
from saas.metadata.schemas import schema_for
from saas.metadata.types import KIND_OPERATORS, field_type

OPENAPI_VERSION = "3.0.3"

# How each field type reads in a response.
OUTPUT_TYPES: dict[str, dict] = {
    "text": {"type": "string"}, "long_text": {"type": "string"}, "email": {"type": "string"},
    "phone": {"type": "string"}, "url": {"type": "string"},
    "number": {"type": "number"}, "currency": {"type": "number"}, "percent": {"type": "number"},
    "date": {"type": "string", "format": "date"}, "datetime": {"type": "string", "format": "date-time"},
    "boolean": {"type": "boolean"}, "single_select": {"type": "string"},
    "multi_select": {"type": "array", "items": {"type": "string"}}, "reference": {"type": "integer"},
}

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
    }},
}


def _numbers(value: Any) -> Any:
    # apispec writes Decimal limits (amounts) as Decimals: JSON wants numbers.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def _name(obj: ApiObject) -> str:
    return "".join(part.title() for part in obj.key.split("_"))


def _describe(f: Field) -> str:
    text = f.label("en")
    if f.options:
        text += " — options: " + ", ".join(o["value"] for o in f.options)
    if f.reference_object:
        text += f" — the id of a {f.reference_object}"
    return text


def record_schema(obj: ApiObject) -> dict:
    """The JSON schema of a record in responses."""
    properties: dict[str, Any] = {"id": {"type": "integer"}}
    for f in fields(obj.key):
        prop = {**copy.deepcopy(OUTPUT_TYPES[f.type]), "nullable": True, "description": _describe(f)}
        if f.is_custom:
            prop["x-custom-field"] = True
        if f.options:
            prop["x-options"] = [o["value"] for o in f.options]
        properties[f.key] = prop
    return {"type": "object", "required": ["id"], "properties": properties}


def input_schemas(plugin: MarshmallowPlugin, obj: ApiObject) -> tuple[dict, dict]:
    """(create, update) JSON schemas of the object's editable fields, from the marshmallow schema."""
    create = _numbers(plugin.converter.schema2jsonschema(schema_for(obj.key)))
    labels = {f.key: f for f in fields(obj.key)}
    for key, prop in create.get("properties", {}).items():
        if key in labels:
            prop["description"] = _describe(labels[key])
            if labels[key].is_custom:
                prop["x-custom-field"] = True
    update = copy.deepcopy(create)
    update.pop("required", None)
    return create, update


def _responses(*codes: int) -> dict:
    texts = {400: "Bad request: malformed parameters, cursor or filter", 401: "No valid token",
             403: "The token lacks the scope", 404: "No such record (or another workspace's)",
             409: "Conflict", 413: "Too many records", 415: "Not JSON",
             422: "Invalid values: a message per field", 429: "Rate limit reached; see Retry-After"}
    return {str(code): {"description": texts[code], "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}} for code in codes}


READ_ERRORS = (400, 401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 415, 422, 429)


def _list_parameters(obj: ApiObject) -> list[dict]:
    sortable = [f.key for f in fields(obj.key) if field_type(f.type).sortable]
    sorts = ["id", "-id"] + [p for key in sortable for p in (key, f"-{key}")]
    params = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                     "default": DEFAULT_LIMIT}},
        {"name": "cursor", "in": "query", "schema": {"type": "string"},
         "description": "next_cursor of the previous page"},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": sorts},
         "description": "a field key, '-key' for descending; default: newest first"},
        {"name": "fields", "in": "query", "schema": {"type": "string"},
         "description": "comma-separated field keys to return (default: all)"},
    ]
    for f in fields(obj.key):
        ops = ", ".join(KIND_OPERATORS[f.kind])
        params.append({"name": f"filter[{f.key}]", "in": "query", "schema": {"type": "string"},
                       "description": f"{f.label('en')} equals; filter[{f.key}][op] for other operators: {ops}"})
    return params


def _record_paths(spec: APISpec, plugin: MarshmallowPlugin, obj: ApiObject) -> None:
    name = _name(obj)
    create, update = input_schemas(plugin, obj)
    spec.components.schema(name, component=record_schema(obj))
    spec.components.schema(f"{name}Create", component=create)
    spec.components.schema(f"{name}Update", component=update)
    ref = {"$ref": f"#/components/schemas/{name}"}
    tag = obj.path
    base = f"/api/v1/{obj.path}"
    body = lambda schema: {"required": True, "content": {"application/json": {"schema": {  # noqa: E731
        "$ref": f"#/components/schemas/{schema}"}}}}
    idempotency = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                   "description": "a retry with the same key returns the first answer"}
    record_id = {"name": "record_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    spec.path(path=base, operations={
        "get": {"tags": [tag], "summary": f"List {obj.path}", "operationId": f"list_{obj.path}",
                "parameters": _list_parameters(obj),
                "responses": {"200": {"description": "One page", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["data", "next_cursor"],
                    "properties": {"data": {"type": "array", "items": ref},
                                   "next_cursor": {"type": "string", "nullable": True}}}}}},
                              **_responses(*READ_ERRORS)}},
        "post": {"tags": [tag], "summary": f"Create a {obj.key}", "operationId": f"create_{obj.key}",
                 "parameters": [idempotency], "requestBody": body(f"{name}Create"),
                 "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": ref}}},
                               **_responses(*WRITE_ERRORS)}},
    })
    spec.path(path=f"{base}/bulk", operations={"post": {
        "tags": [tag], "summary": f"Create or update up to {MAX_ITEMS} {obj.path} keyed by a unique field",
        "operationId": f"upsert_{obj.path}", "parameters": [idempotency],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["key", "records"], "additionalProperties": False,
            "properties": {"key": {"type": "string", "description": "a unique field, e.g. an external id"},
                           "records": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS,
                                       "items": {"$ref": f"#/components/schemas/{name}Update"}}}}}}},
        "responses": {"200": {"description": "A result per record, in order", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/BulkResult"}}}}, **_responses(*WRITE_ERRORS, 413)}}})
    spec.path(path=f"{base}/{{record_id}}", parameters=[record_id], operations={
        "get": {"tags": [tag], "summary": f"Get a {obj.key}", "operationId": f"get_{obj.key}",
                "parameters": [{"name": "fields", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The record", "content": {"application/json": {"schema": ref}}},
                              **_responses(*READ_ERRORS)}},
        "patch": {"tags": [tag], "summary": f"Change a {obj.key}", "operationId": f"update_{obj.key}",
                  "requestBody": body(f"{name}Update"),
                  "responses": {"200": {"description": "The record", "content": {"application/json": {"schema": ref}}},
                                **_responses(*WRITE_ERRORS)}},
        "delete": {"tags": [tag], "summary": f"Delete a {obj.key}", "operationId": f"delete_{obj.key}",
                   "responses": {"204": {"description": "Deleted"}, **_responses(*WRITE_ERRORS)}},
    })


FIELD_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "key": {"type": "string"}, "type": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "help_texts": {"type": "object", "additionalProperties": {"type": "string"}},
        "options": {"type": "array", "items": {"type": "object", "properties": {
            "value": {"type": "string"}, "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}},
        "required": {"type": "boolean"}, "unique": {"type": "boolean"}, "default": {"nullable": True},
        "group": {"type": "string", "nullable": True}, "position": {"type": "integer"},
        "hidden": {"type": "boolean"}, "filterable": {"type": "boolean"}, "is_system": {"type": "boolean"},
        "reference_object": {"type": "string", "nullable": True},
    },
}


def _metadata_paths(spec: APISpec, plugin: MarshmallowPlugin, objects: list[ApiObject]) -> None:
    from saas.api.metadata import FieldChangeSchema, FieldInputSchema

    spec.components.schema("Field", component=FIELD_SCHEMA)
    spec.components.schema("FieldCreate", component=_numbers(plugin.converter.schema2jsonschema(FieldInputSchema())))
    spec.components.schema("FieldUpdate", component=_numbers(plugin.converter.schema2jsonschema(FieldChangeSchema())))
    field_ref = {"$ref": "#/components/schemas/Field"}
    fields_list = {"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": field_ref}}}
    spec.path(path="/api/v1/metadata", operations={"get": {
        "tags": ["metadata"], "summary": "Every object with its fields", "operationId": "metadata",
        "responses": {"200": {"description": "Objects", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"data": {"type": "array", "items": {"type": "object"}}}}}}},
            **_responses(401, 429)}}})
    for obj in objects:
        base = f"/api/v1/metadata/{obj.path}/fields"
        spec.path(path=base, operations={
            "get": {"tags": ["metadata"], "summary": f"Fields of {obj.path}", "operationId": f"fields_of_{obj.path}",
                    "responses": {"200": {"description": "Fields", "content": {"application/json": {
                        "schema": fields_list}}}, **_responses(*READ_ERRORS)}},
            "post": {"tags": ["metadata"], "summary": f"Add a custom field to {obj.path} (metadata:admin)",
                     "operationId": f"add_field_to_{obj.path}",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "$ref": "#/components/schemas/FieldCreate"}}}},
                     "responses": {"201": {"description": "The field", "content": {"application/json": {
                         "schema": field_ref}}}, **_responses(*WRITE_ERRORS)}},
        })
        spec.path(path=f"{base}/{{field_id}}", parameters=[
            {"name": "field_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
            operations={
                "get": {"tags": ["metadata"], "summary": "One field", "operationId": f"field_of_{obj.path}",
                        "responses": {"200": {"description": "The field", "content": {"application/json": {
                            "schema": field_ref}}}, **_responses(*READ_ERRORS)}},
                "patch": {"tags": ["metadata"], "summary": "Change a field (metadata:admin)",
                          "operationId": f"update_field_of_{obj.path}",
                          "requestBody": {"required": True, "content": {"application/json": {"schema": {
                              "$ref": "#/components/schemas/FieldUpdate"}}}},
                          "responses": {"200": {"description": "The field", "content": {"application/json": {
                              "schema": field_ref}}}, **_responses(*WRITE_ERRORS)}},
            })


BULK_RESULT = {
    "type": "object", "required": ["results", "created", "updated", "failed"],
    "properties": {
        "created": {"type": "integer"}, "updated": {"type": "integer"}, "failed": {"type": "integer"},
        "results": {"type": "array", "items": {"type": "object", "properties": {
            "index": {"type": "integer"}, "status": {"type": "string", "enum": ["created", "updated", "error"]},
            "id": {"type": "integer", "nullable": True},
            "error": {**ERROR_SCHEMA["properties"]["error"], "nullable": True}}}},
    },
}


def build_document(workspace_name: str, objects: list[ApiObject]) -> dict:
    """The OpenAPI document for the objects of the workspace in context."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title=f"Orchard API — {workspace_name}", version="1", openapi_version=OPENAPI_VERSION,
                   plugins=[plugin], info={"description": DESCRIPTION}, security=[{"bearer": []}],
                   servers=[{"url": "/"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", component=ERROR_SCHEMA)
    spec.components.schema("BulkResult", component=BULK_RESULT)
    for obj in objects:
        _record_paths(spec, plugin, obj)
    _metadata_paths(spec, plugin, objects)
    return spec.to_dict()


def workspace_document() -> dict:
    """The document of the request's workspace, with the objects its plugins serve (cached)."""
    from saas.plugins import enabled_plugins

    enabled = enabled_plugins(g.workspace)
    objects = [o for o in api_objects().values() if o.plugin is None or o.plugin in enabled]
    name = g.workspace.name
    signature = ",".join(o.path for o in objects) + "|" + name
    return cached(f"openapi:{signature}", lambda: build_document(name, objects))


DESCRIPTION = """\
REST API of one Orchard workspace: the token decides which.

Authentication: `Authorization: Bearer <token>` (Settings → API tokens). Scopes: `<object>:read`,
`<object>:write` (includes read), `metadata:admin`.

Records are JSON objects whose standard and custom fields sit side by side, by field key.
Lists page with a cursor: pass `next_cursor` back as `cursor` until it is null. Filter with
`filter[<field>]=<value>` or `filter[<field>][<operator>]=<value>`; sort with `sort=<field>` or
`sort=-<field>`; choose fields with `fields=a,b`.

Errors: `{"error": {"code", "message", "fields"}}` with status 400/422 (bad input), 401, 403,
404, 409, 429 (with Retry-After). An `Idempotency-Key` header on POST makes a retry return the
first answer instead of creating a second record.
"""
