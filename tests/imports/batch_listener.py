"""Two plugins the bulk record tests load: one hears new records a batch at a time, the other
implements only record_changed (as plugins written before records_created do)."""
from __future__ import annotations

from saas.plugin_api import hookimpl

CALLS: list[tuple] = []

MANIFEST = {
    "name": "batch_listener",
    "version": "0.1.0",
    "publisher": "Tests",
    "description": "Hears new records a batch at a time.",
}


@hookimpl
def records_created(object_key, records):
    CALLS.append(("records_created", object_key, [dict(r) for r in records]))


@hookimpl
def record_changed(object_key, record_id, change, before, after):
    CALLS.append(("record_changed", object_key, record_id, change, after))
