"""API tokens: created once (the clear text is shown once), hashed at rest, scoped, revocable."""
from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from saas.errors import InputError
from saas.extensions import db
from saas.tenants.context import tenant_context
from saas.tenants.models import ApiToken, utcnow
from saas.tenants.tokens import new_tenant_token, parse_tenant_token

TOKEN_PREFIX = "orch"
LAST_USE_PRECISION = timedelta(minutes=1)

# Scopes: read or write per object, and metadata administration. Modules add their objects.
OBJECT_SCOPES = ["contacts", "companies", "orders", "activities", "deals", "leads", "pipelines", "stages",
                 "lifecycle_stages"]
SCOPES = {
    **{f"{obj}:read": _l("Read %(object)s", object=obj) for obj in OBJECT_SCOPES},
    **{f"{obj}:write": _l("Write %(object)s", object=obj) for obj in OBJECT_SCOPES},
    "metadata:admin": _l("Manage fields and settings"),
}
DEFAULT_SCOPES = [f"{obj}:read" for obj in OBJECT_SCOPES]


def create_token(tenant_id: int, name: str, scopes: list[str] | None, created_by_id: int | None) -> tuple[ApiToken, str]:
    """A new token for the workspace; returns the row and the clear text (shown once)."""
    name = (name or "").strip()
    if not name:
        raise InputError({"name": _("Give the token a name.")})
    scopes = list(dict.fromkeys(scopes or DEFAULT_SCOPES))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise InputError({"scopes": _("Unknown scopes: %(scopes)s", scopes=", ".join(unknown))})
    with tenant_context(tenant_id):
        clear, token_hash = new_tenant_token(TOKEN_PREFIX, tenant_id)
        token = ApiToken(name=name[:120], token_hash=token_hash, display_prefix=clear[:16] + "…",
                         scopes=scopes, created_by_id=created_by_id)
        db.session.add(token)
        db.session.commit()
    return token, clear


def tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())))


def revoke(token: ApiToken) -> None:
    token.revoked_at = utcnow()
    db.session.commit()


def claimed_workspace_id(clear: str) -> int | None:
    """The workspace id a bearer string names (not yet checked), or None when it is malformed."""
    parsed = parse_tenant_token(TOKEN_PREFIX, clear)
    return None if parsed is None else parsed[0]


def authenticate(clear: str) -> ApiToken | None:
    """The live token for a bearer string (its workspace loaded with it), its last use recorded;
    None when unknown or revoked.

    The caller enters tenant_context(token.tenant_id) for the rest of the request.
    """
    return authenticate_with(clear, lookup_statement())[0]


def lookup_statement(extra: Sequence[Any] = ()):
    """The statement authenticate_with() runs: the token by workspace and hash, its workspace
    joined, and the `extra` scalar expressions (subqueries on ApiToken.tenant_id) in the same row.
    Build it once and keep it: it is the same for every request."""
    return select(ApiToken, *extra).where(ApiToken.tenant_id == bindparam("token_tenant_id"),
                                          ApiToken.token_hash == bindparam("token_hash"))


def authenticate_with(clear: str, statement) -> tuple[ApiToken | None, tuple]:
    """authenticate() with a lookup_statement(extra); returns (token or None, the extra values)."""
    parsed = parse_tenant_token(TOKEN_PREFIX, clear)
    if parsed is None:
        return None, ()
    tenant_id, token_hash = parsed
    with tenant_context(tenant_id):
        # The workspace condition is in the statement: the ORM's automatic one would only repeat it
        # (and cost as much as the rest of the lookup). Row-level security applies as ever.
        row = db.session.execute(statement, {"token_tenant_id": tenant_id, "token_hash": token_hash},
                                 execution_options={"skip_tenant_scope": True}).first()
        token = row[0] if row is not None else None
        if token is None or token.revoked_at is not None:
            return None, ()
        last = token.last_used_at
        if last is None or utcnow() - (last if last.tzinfo else last.replace(tzinfo=timezone.utc)) > LAST_USE_PRECISION:
            # A write per request would cost every API read; to the minute is what people read.
            token.last_used_at = utcnow()
            db.session.commit()
            db.session.refresh(token)  # loaded while the tenant is in context
        return token, tuple(row[1:])
