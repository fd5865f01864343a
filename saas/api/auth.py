"""Bearer-token authentication: the token decides the workspace and its scopes.

`Authorization: Bearer orch_<workspace id>_<secret>`. A valid token enters its workspace's tenant
context for the rest of the request (the ORM scoping and PostgreSQL row-level security follow);
a missing, unknown or revoked token answers 401. Scopes: "<object path>:read" and
"<object path>:write" per object (write includes read of the same object), "metadata:admin"
to change field definitions.
"""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from saas.api.errors import ApiError
from saas.metadata.definitions import note_version, version_subquery
from saas.modules.apps.services import choices_subquery, note_choices
from saas.tenants import api_tokens
from saas.tenants.context import set_tenant
from saas.tenants.models import ApiToken

METADATA_ADMIN = "metadata:admin"


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def authenticate_request() -> ApiToken:
    """Check the bearer token, enter its workspace (g.workspace, g.api_token, tenant context)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, clear = header.partition(" ")
    if scheme.lower() != "bearer" or not clear.strip():
        raise _unauthorized(_("Send an API token as “Authorization: Bearer <token>”."))
    clear = clear.strip()
    # Enter the workspace the token names first, so checking it and serving the request share one
    # transaction and one tenant setting; a token that does not check out leaves it at once.
    claimed = api_tokens.claimed_workspace_id(clear)
    if claimed is not None:
        set_tenant(claimed)
    token, state = api_tokens.authenticate_with(clear, _lookup()) if claimed is not None else (None, ())
    workspace = token.workspace if token is not None else None
    if token is None or workspace is None:
        set_tenant(None)
        raise _unauthorized(_("This API token is not valid or was revoked."))
    g.api_token, g.workspace, g.membership = token, workspace, None
    # Read with the token, in this request's transaction: the metadata version (the key of the
    # cached field definitions and list queries) and the plugin choices, without a query each.
    version, choices = state
    note_version(workspace.id, version)
    note_choices(workspace.id, choices)
    return token


_LOOKUPS: dict[str, object] = {}       # the token lookup per dialect, built once


def _lookup():
    from saas.extensions import db

    dialect_name = db.session.get_bind().dialect.name
    if dialect_name not in _LOOKUPS:
        _LOOKUPS[dialect_name] = api_tokens.lookup_statement([
            version_subquery(ApiToken.tenant_id).label("metadata_version"),
            choices_subquery(ApiToken.tenant_id, dialect_name).label("plugin_choices")])
    return _LOOKUPS[dialect_name]


def has_scope(scope: str) -> bool:
    """Whether the request's token carries `scope` (a write scope includes its read scope)."""
    scopes = set(g.api_token.scopes or [])
    if scope in scopes:
        return True
    if scope.endswith(":read"):
        return scope[: -len(":read")] + ":write" in scopes
    return False


def require_scope(scope: str) -> None:
    """Raise 403 unless the token carries `scope`."""
    if not has_scope(scope):
        raise ApiError(403, "insufficient_scope",
                       _("This token lacks the scope “%(scope)s”.", scope=scope), {"scope": scope})
