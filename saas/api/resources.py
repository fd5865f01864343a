"""The record resources, one set of views for every object the API serves (see objects.py):

    GET    /api/v1/<path>               list (limit, cursor, sort, fields, filter[...])
    POST   /api/v1/<path>               create (Idempotency-Key honoured)
    POST   /api/v1/<path>/bulk          upsert up to 1,000 records keyed by a unique field
    GET    /api/v1/<path>/<record_id>   one record (fields= to choose fields)
    PATCH  /api/v1/<path>/<record_id>   change the given fields
    DELETE /api/v1/<path>/<record_id>   delete
"""
from __future__ import annotations

from flask import abort, g, request, url_for
from flask_babel import gettext as _

from saas.api.auth import require_scope
from saas.api.blueprint import bp
from saas.api.bulk import upsert
from saas.api.errors import ApiError
from saas.api.idempotency import idempotent
from saas.api.objects import ApiObject
from saas.api.params import parse_list_params
from saas.api.serialize import json_rows, record_json
from saas.extensions import db
from saas.metadata.definitions import field_map
from saas.metadata.query import cached_query, page
from saas.modules.core import records


def json_body() -> dict:
    """The request's JSON object; 400 for anything else (malformed, not an object, wrong type)."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("Send JSON with Content-Type: application/json."))
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "bad_json", _("The body is not valid JSON."))
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", _("Send a JSON object."))
    return data


def _readable(obj: ApiObject) -> None:
    _enabled(obj)
    require_scope(obj.read_scope)


def _writable(obj: ApiObject) -> None:
    _enabled(obj)
    require_scope(obj.write_scope)


def _enabled(obj: ApiObject) -> None:
    # An object of a plugin the workspace has not enabled answers 404, like its pages.
    from saas.plugins import enabled_plugins

    plugin = obj.plugin
    if plugin is not None and plugin not in enabled_plugins(g.workspace):
        abort(404)


def _record_or_404(obj: ApiObject, record_id: int):
    # Tenant scoping filters by workspace: another workspace's id is simply not found.
    record = records.get_record(obj.key, record_id)
    if record is None:
        raise ApiError(404, "not_found", _("There is no such record."))
    return record


def _fields_param() -> list[str] | None:
    raw = request.args.get("fields")
    if raw is None:
        return None
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    return keys


@bp.get("/<api_object:obj>")
def list_records(obj: ApiObject):
    _readable(obj)
    params = parse_list_params(request.args)
    fields = params.fields if params.fields is not None else list(field_map(obj.key))
    # Kept per workspace, metadata version and request shape: a client asks for the same list again.
    query = cached_query(obj.key, filters=params.filters, sort=params.sort, fields=fields)
    result = page(query, limit=params.limit, cursor=params.cursor, rows=json_rows)
    return {"data": result.rows, "next_cursor": result.next_cursor}


@bp.post("/<api_object:obj>")
def create_record(obj: ApiObject):
    _writable(obj)
    data = json_body()

    def handle():
        # The record services call the record_changed hook (webhooks ...) in this transaction.
        record = records.create_record(obj.key, data)
        return record_json(obj.key, record), 201

    response = idempotent(data, handle)
    if response.status_code == 201:
        response.headers["Location"] = url_for("api.get_record", obj=obj, record_id=response.json["id"])
    return response


@bp.post("/<api_object:obj>/bulk")
def bulk_upsert(obj: ApiObject):
    _writable(obj)
    data = json_body()
    unknown = set(data) - {"key", "records"}
    if unknown:
        raise ApiError(422, "invalid", _("Send only “key” and “records”."),
                       {k: _("There is no such field.") for k in sorted(unknown)})

    def handle():
        return upsert(obj.key, data.get("key"), data.get("records")), 200

    return idempotent(data, handle)


@bp.get("/<api_object:obj>/<int:record_id>")
def get_record(obj: ApiObject, record_id: int):
    _readable(obj)
    record = _record_or_404(obj, record_id)
    keys = _fields_param()
    if keys is not None:
        known = field_map(obj.key)
        unknown = [k for k in keys if k != "id" and k not in known]
        if unknown:
            raise ApiError(400, "unknown_field", _("There is no field “%(key)s”.", key=unknown[0]),
                           {k: _("There is no such field.") for k in unknown})
    return record_json(obj.key, record, keys)


@bp.patch("/<api_object:obj>/<int:record_id>")
def update_record(obj: ApiObject, record_id: int):
    _writable(obj)
    record = _record_or_404(obj, record_id)
    data = json_body()
    records.update_record(obj.key, record, data)
    after = record_json(obj.key, record)
    db.session.commit()
    return after


@bp.delete("/<api_object:obj>/<int:record_id>")
def delete_record(obj: ApiObject, record_id: int):
    _writable(obj)
    record = _record_or_404(obj, record_id)
    records.delete_records(obj.key, [record.id])
    db.session.commit()
    return "", 204
