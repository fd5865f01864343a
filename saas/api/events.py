"""Record events raised by the API: the `record_changed` hook, called inside the transaction
that changes the record (webhooks queue their deliveries there, so a rollback drops them).

The core record services do not call the hook yet; until they do, the API calls it for the
changes it makes. When they do, delete this module's calls: the hook must fire once.
"""
from __future__ import annotations

from flask import g

from saas.plugins import hooks

CREATED, UPDATED, DELETED = "created", "updated", "deleted"


def record_changed(object_key: str, record_id: int, change: str, before: dict | None, after: dict | None) -> None:
    """Tell the plugins of the workspace in context that a record was created, updated or deleted."""
    hooks(workspace=g.workspace).record_changed(object_key=object_key, record_id=record_id, change=change,
                                                before=before, after=after)
