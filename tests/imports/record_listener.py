"""A plugin that implements record_changed only: it must still hear of records created in bulk."""
from __future__ import annotations

from saas.plugin_api import hookimpl

CALLS: list[tuple] = []

MANIFEST = {
    "name": "record_listener",
    "version": "0.1.0",
    "publisher": "Tests",
    "description": "Hears each record change.",
}


@hookimpl
def record_changed(object_key, record_id, change, before, after):
    CALLS.append((object_key, record_id, change, before, after))
