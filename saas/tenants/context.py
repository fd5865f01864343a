"""The tenant context: which workspace the current request or job acts for.

Set once per request (from the URL slug or the API token) and per job (jobs carry their
tenant id). The ORM scoping and PostgreSQL row-level security both read it from here.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_tenant_id: ContextVar[int | None] = ContextVar("tenant_id", default=None)
_unscoped: ContextVar[bool] = ContextVar("unscoped", default=False)


class TenantContextError(RuntimeError):
    """Tenant-owned data was touched with no workspace in context (or with the wrong one)."""


def current_tenant_id() -> int | None:
    """The id of the workspace in context, or None."""
    return _tenant_id.get()


def is_unscoped() -> bool:
    """True inside unscoped(): operator code that reads across workspaces on purpose."""
    return _unscoped.get()


def set_tenant(tenant_id: int | None, tell_database: bool = True) -> None:
    """Enter a workspace for the rest of this request; the teardown resets it.

    tell_database=False: only when the database transaction ends before any other statement."""
    if _tenant_id.set(tenant_id).old_value != tenant_id and tell_database:
        _sync_database_setting()


@contextmanager
def tenant_context(tenant_id: int) -> Iterator[None]:
    """Act for one workspace inside the block (jobs, CLI commands, tests)."""
    token = _tenant_id.set(tenant_id)
    # Re-entering the workspace already in context (a service called from a request of it)
    # changes nothing the database must hear of: a transaction begun inside gets it anyway.
    changed = token.old_value != tenant_id
    if changed:
        _sync_database_setting()
    try:
        yield
    finally:
        _tenant_id.reset(token)
        if changed:
            _sync_database_setting()


@contextmanager
def unscoped() -> Iterator[None]:
    """Lift ORM scoping for operator work across workspaces (reports, benchmarks).

    Row-level security still applies on PostgreSQL: this is not a way around wall 3.
    """
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


def _sync_database_setting() -> None:
    # Imported late: the isolation module needs the app's db, and this one must not.
    from saas.tenants.isolation import apply_tenant_setting

    apply_tenant_setting()
