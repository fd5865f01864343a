"""The widget cache: results kept per (workspace, widget, filters), on Redis when REDIS_URL is set,
else in the process.

Keys carry versions, so nothing is ever deleted to invalidate. A widget's result is keyed by:
- the widget's own `version` (bumped when it is edited),
- the workspace's metadata version (fields added, removed, renamed),
- the workspace's data version, bumped after every commit that changed a record (the
  record_changed hook marks the session; the bump waits for the commit, so a reader never caches
  old figures under the new version).
A dashboard tile's whole HTML is kept beside it under versions the cache itself holds, so serving
it reads no table: the data version, and the definitions version, bumped after every commit that
changed a widget, a dashboard or the workspace's fields (listeners below mark the session).
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
from saas.metadata.models import MetadataVersion
from saas.modules.analytics.models import Dashboard, Widget
from saas.tenants.context import current_tenant_id

TTL_SECONDS = 600
LOCAL_ENTRIES = 2000
DATA, DEFINITIONS = "data", "definitions"
_DIRTY = "analytics_dirty_tenants"


class _LocalStore:
    """A small LRU with expiry for the embedded default (no Redis)."""

    def __init__(self) -> None:
        self.items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.versions: dict[tuple[int, str], int] = {}
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


def _version_key(tenant_id: int, kind: str = DATA) -> str:
    return f"analytics:{tenant_id}:{kind}"


def version(tenant_id: int, kind: str = DATA) -> int:
    """The workspace's data (or definitions) version, 0 until its first change."""
    conn = redis_connection()
    if conn is None:
        return _local().versions.get((tenant_id, kind), 0)
    return int(conn.get(_version_key(tenant_id, kind)) or 0)


def data_version(tenant_id: int) -> int:
    """The workspace's data version (0 until its first change)."""
    return version(tenant_id, DATA)


def bump_version(tenant_id: int, kind: str = DATA) -> None:
    """Mark the workspace's data (or definitions) as changed: what was cached under the old version misses."""
    conn = redis_connection()
    if conn is None:
        store = _local()
        with store.lock:
            store.versions[(tenant_id, kind)] = store.versions.get((tenant_id, kind), 0) + 1
    else:
        conn.incr(_version_key(tenant_id, kind))


def bump_data_version(tenant_id: int) -> None:
    """Mark the workspace's data as changed: every cached widget result of it misses from now on."""
    bump_version(tenant_id, DATA)


def mark_changed(session: Session, tenant_id: int, kind: str = DATA) -> None:
    """Bump the workspace's data (or definitions) version when `session` commits."""
    session.info.setdefault(_DIRTY, set()).add((tenant_id, kind))


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    changes = session.info.pop(_DIRTY, None)
    if changes:
        for tenant_id, kind in changes:
            bump_version(tenant_id, kind)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:     # the outermost transaction: nothing was written
        session.info.pop(_DIRTY, None)


# What a tile's HTML shows besides the records: its widget, its dashboard's scope, the fields'
# labels (and whether they still exist). Any change to them marks the session.
_DEFINITIONS = (Widget, Dashboard, MetadataVersion)


@event.listens_for(Session, "before_flush")
def _definitions_flushed(session: Session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _DEFINITIONS):
            tenant_id = obj.tenant_id or current_tenant_id()
            if tenant_id is not None:
                mark_changed(session, tenant_id, DEFINITIONS)


@event.listens_for(Session, "do_orm_execute")
def _metadata_version_updated(state) -> None:
    # The metadata version is bumped by an UPDATE statement, not through a loaded object.
    mapper = state.bind_mapper if state.is_update else None
    if mapper is not None and mapper.class_ is MetadataVersion and current_tenant_id() is not None:
        mark_changed(state.session, current_tenant_id(), DEFINITIONS)


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


def fragment_key(tenant_id: int, name: str, parts: dict) -> str:
    """The key of a piece of HTML kept at the workspace's current versions (see get_current)."""
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"analytics:{tenant_id}:{name}:{digest}"


def get_current(cache_keys: list[str | None], tenant_id: int) -> tuple[Any, tuple[int, int]]:
    """(value, versions): the value under the first of `cache_keys` that was kept at the workspace's
    current data and definitions versions, else None; and those versions, for put_current. One
    cache read."""
    keys = [k for k in cache_keys if k]
    conn = redis_connection()
    if conn is None:
        store = _local()
        current = (store.versions.get((tenant_id, DATA), 0), store.versions.get((tenant_id, DEFINITIONS), 0))
        items = [store.get(k) for k in keys]
    else:
        data, definitions, *raws = conn.mget(_version_key(tenant_id, DATA), _version_key(tenant_id, DEFINITIONS),
                                             *keys)
        current = (int(data or 0), int(definitions or 0))
        items = [None if raw is None else json.loads(raw) for raw in raws]
    for item in items:
        if item is not None and tuple(item["versions"]) == current:
            return item["value"], current
    return None, current


def put_current(cache_key: str, value: Any, versions: tuple[int, int]) -> None:
    """Keep `value` under `cache_key`, valid while the workspace stays at `versions` (read before
    the value was made, so a change made meanwhile makes it miss)."""
    put(cache_key, {"versions": list(versions), "value": value})
