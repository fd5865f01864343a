"""The widget cache: results kept per (workspace, widget, filters), on Redis when REDIS_URL is set,
else in the process.

Keys carry three versions, so nothing is ever deleted to invalidate:
- the widget's own `version` (bumped when it is edited),
- the workspace's metadata version (fields added, removed, renamed),
- the workspace's data version, bumped after every commit that changed a record (the
  record_changed hook marks the session; the bump waits for the commit, so a reader never caches
  old figures under the new version).
Writes that bypass the record services (set-based jobs) are covered by a time limit on entries.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from saas.jobs import redis_connection

TTL_SECONDS = 600
LOCAL_ENTRIES = 2000
_DIRTY = "analytics_dirty_tenants"


class _LocalStore:
    """A small LRU with expiry for the embedded default (no Redis)."""

    def __init__(self) -> None:
        self.items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.versions: dict[int, int] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            item = self.items.get(key)
            if item is None or item[0] < time.monotonic():
                return None
            self.items.move_to_end(key)
            return item[1]

    def set(self, key: str, value: Any, ttl: int) -> None:
        with self.lock:
            self.items[key] = (time.monotonic() + ttl, value)
            self.items.move_to_end(key)
            while len(self.items) > LOCAL_ENTRIES:
                self.items.popitem(last=False)


def _local() -> _LocalStore:
    return current_app.extensions.setdefault("saas_analytics_cache", _LocalStore())


def _version_key(tenant_id: int) -> str:
    return f"analytics:{tenant_id}:data"


def data_version(tenant_id: int) -> int:
    """The workspace's data version (0 until its first change)."""
    conn = redis_connection()
    if conn is None:
        return _local().versions.get(tenant_id, 0)
    return int(conn.get(_version_key(tenant_id)) or 0)


def bump_data_version(tenant_id: int) -> None:
    """Mark the workspace's data as changed: every cached widget result of it misses from now on."""
    conn = redis_connection()
    if conn is None:
        store = _local()
        with store.lock:
            store.versions[tenant_id] = store.versions.get(tenant_id, 0) + 1
    else:
        conn.incr(_version_key(tenant_id))


def mark_changed(session: Session, tenant_id: int) -> None:
    """Bump the workspace's data version when `session` commits (called from record_changed)."""
    session.info.setdefault(_DIRTY, set()).add(tenant_id)


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    tenants = session.info.pop(_DIRTY, None)
    if tenants:
        for tenant_id in tenants:
            bump_data_version(tenant_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:     # the outermost transaction: nothing was written
        session.info.pop(_DIRTY, None)


def key(tenant_id: int, widget_id: int | str, widget_version: int, metadata_version: int, parts: dict) -> str:
    """The cache key of one widget result for one set of filters (and language, for labels)."""
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return (f"analytics:{tenant_id}:w{widget_id}:v{widget_version}:m{metadata_version}:"
            f"d{data_version(tenant_id)}:{digest}")


def get(cache_key: str) -> Any:
    """The cached value under `cache_key`, or None."""
    conn = redis_connection()
    if conn is None:
        return _local().get(cache_key)
    raw = conn.get(cache_key)
    return None if raw is None else json.loads(raw)


def put(cache_key: str, value: Any) -> None:
    """Keep `value` (JSON-able) under `cache_key` for TTL_SECONDS."""
    conn = redis_connection()
    if conn is None:
        _local().set(cache_key, value, TTL_SECONDS)
    else:
        conn.set(cache_key, json.dumps(value), ex=TTL_SECONDS)


def cached(cache_key: str, compute: Callable[[], Any]) -> tuple[Any, bool]:
    """(value, True) from the cache, or (compute(), False) after keeping it."""
    value = get(cache_key)
    if value is not None:
        return value, True
    value = compute()
    put(cache_key, value)
    return value, False
