"""The API blueprint: /api/v1, bearer auth per request, JSON errors, no CSRF (no cookies)."""
from __future__ import annotations

from flask import Blueprint, g, request

from saas.api.auth import authenticate_request
from saas.api.errors import register_handlers
from saas.api.ratelimit import check_rate_limit

bp = Blueprint("api", __name__, url_prefix="/api/v1")
register_handlers(bp)

# Endpoints that answer without a token.
PUBLIC_ENDPOINTS = {"api.index", "api.health"}


@bp.before_request
def _authenticate():
    g.rate_limit_headers = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = authenticate_request()
    check_rate_limit(token)
    return None


@bp.after_request
def _headers(response):
    for name, value in (g.get("rate_limit_headers") or {}).items():
        response.headers[name] = value
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/")
def index():
    from flask import url_for

    return {"openapi": url_for("api.openapi"), "docs": "/w/<workspace>/settings/api"}


@bp.get("/health")
def health():
    """Liveness for load balancers and monitors: the app answers, no token, no database."""
    return {"status": "ok"}


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document of the token's workspace, its custom fields included."""
    from saas.api.openapi import workspace_document

    return workspace_document()
