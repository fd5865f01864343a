"""The API's one error shape: {"error": {"code", "message", "fields"}} with the right status.

Every error under /api/ answers JSON, including routing errors (404, 405) that no view of the
API blueprint sees: the app's HTML handlers are wrapped to answer JSON for API paths.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from saas.errors import InputError

log = logging.getLogger("saas.api")

API_PREFIX = "/api/"


class ApiError(Exception):
    """An error the API answers as is (401, 403, 404, 409, 429 ...)."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None,
                   headers: dict | None = None) -> Response:
    """The error shape as a response."""
    response = jsonify({"error": {"code": code, "message": str(message),
                                  "fields": {k: str(v) for k, v in (fields or {}).items()}}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "too_large",
              415: "unsupported_media_type", 422: "invalid", 429: "rate_limited", 500: "server_error"}


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Send a valid API token as “Authorization: Bearer <token>”."),
        403: _("This token may not do that."),
        404: _("There is nothing here."),
        405: _("This address does not accept that method."),
        413: _("The request is too large."),
        415: _("Send JSON with Content-Type: application/json."),
        429: _("Too many requests; wait and try again."),
        500: _("An error on our side stopped this; nothing was half-saved. Please try again."),
    }


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 500:
        from saas.extensions import db

        db.session.rollback()
    headers = {}
    if status == 405 and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(status, HTTP_CODES.get(status, "error"),
                          _messages().get(status) or exc.description or exc.name, headers=headers)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def register_handlers(bp) -> None:
    """The API blueprint's error handlers (once, when the blueprint is defined)."""
    from saas.extensions import db

    @bp.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @bp.errorhandler(InputError)
    def _input_error(exc: InputError):
        db.session.rollback()
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @bp.errorhandler(DataError)
    def _data_error(exc: DataError):
        # The database refused a value the field types let through (a column narrower than
        # its type allows): bad input, not a server error.
        db.session.rollback()
        log.warning("API: the database refused a value: %s", exc.orig)
        return error_response(422, "invalid", _("A value is too long or out of range."))

    @bp.errorhandler(OverflowError)
    def _overflow(exc: OverflowError):
        # SQLite takes integers up to 2**63: a bigger id (a reference, a filter) is bad input.
        db.session.rollback()
        return error_response(422, "invalid", _("A value is too long or out of range."))

    @bp.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError):
        db.session.rollback()
        log.warning("API: integrity error: %s", exc.orig)
        if is_not_null_violation(exc):
            # A required value that the field types let through empty (e.g. "" for a name).
            return error_response(422, "invalid", _("A required field is empty."))
        return error_response(409, "conflict", _("This conflicts with another record; nothing was saved."))

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return http_error(exc)


def is_not_null_violation(exc: IntegrityError) -> bool:
    """Whether the database refused an empty required column (PostgreSQL 23502, SQLite's message)."""
    return getattr(exc.orig, "sqlstate", None) == "23502" or "NOT NULL" in str(exc.orig).upper()


def install(app: Flask) -> None:
    """JSON for routing errors under /api/ (per app)."""
    # Routing errors (no rule matched, wrong method) happen before any blueprint is known: wrap
    # the app's handlers so API paths answer JSON and the rest keeps its pages.
    spec = app.error_handler_spec.setdefault(None, {})
    for code in (400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429, 500):
        handlers = spec.setdefault(code, {})
        if not handlers:
            app.register_error_handler(code, _passthrough)
        for cls, handler in list(handlers.items()):
            handlers[cls] = _json_for_api(handler)


def _passthrough(exc):
    return exc


def _json_for_api(handler):
    def handle(exc):
        if is_api_request() and isinstance(exc, HTTPException):
            return http_error(exc)
        return handler(exc)

    handle.__wrapped__ = handler
    return handle
