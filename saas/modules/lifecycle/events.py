"""Evaluation on events: a customer's stage is re-decided at once when their orders, activities,
fields or deals change (hook record_changed), inside the transaction that changed them (a deleted
order or activity: when that transaction commits, once the row is gone)."""
from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from saas.extensions import db
from saas.tenants.context import current_tenant_id, tenant_context

_PENDING = "lifecycle_decide_before_commit"


def _contact_of(data: dict | None) -> int | None:
    value = (data or {}).get("contact")
    return value if isinstance(value, int) else None


def _deal_contacts(deal_id: int) -> list[int]:
    links = db.metadata.tables.get("deal_contacts")
    if links is None:
        return []
    return list(db.session.scalars(select(links.c.contact_id).where(links.c.deal_id == deal_id)))


def _editor_of(contact_id: int) -> int | None:
    from saas.modules.core.models import FieldChange

    return db.session.scalar(select(FieldChange.user_id).where(
        FieldChange.object_key == "contact", FieldChange.record_id == contact_id,
        FieldChange.field_key == "lifecycle_stage").order_by(FieldChange.id.desc()).limit(1))


def on_record_changed(object_key: str, record_id: int, change: str, before: dict | None, after: dict | None) -> None:
    """The lifecycle module's part of the record_changed hook."""
    from saas.modules.lifecycle import evaluation, history

    if object_key in ("order", "activity"):
        ids = {_contact_of(before), _contact_of(after)} - {None}
        if change == "deleted":
            _decide_before_commit(ids)
            return
        evaluation.evaluate_contacts(sorted(ids))
    elif object_key == "contact" and change in ("created", "updated"):
        old, new = (before or {}).get("lifecycle_stage"), (after or {}).get("lifecycle_stage")
        if change == "updated" and old != new:
            # Moved by hand on the record page or through the API: recorded, and left to stand
            # until the next evaluation (rules win then, if one matches).
            history.record_edit(record_id, old, new, _editor_of(record_id))
            return
        if change == "created" and new:
            history.record_edit(record_id, None, new, _editor_of(record_id))
        evaluation.evaluate_contacts([record_id])
    elif object_key == "deal" and change == "won":
        evaluation.evaluate_contacts(_deal_contacts(record_id))
    elif object_key == "lifecycle_stage":
        _stage_changed_through_api(change, before)


def _stage_changed_through_api(change: str, before: dict | None) -> None:
    from saas.metadata import lifecycle as definitions
    from saas.modules.lifecycle import history

    if change == "deleted" and before:
        # Nothing leaves a customer without a stage: they go to the first remaining one.
        remaining = [s for s in definitions.stages() if s.key != before.get("key")]
        if remaining:
            history.remap({before["key"]: remaining[0].key}, "stage_removed", None)
    definitions.sync_field_options()


def _decide_before_commit(contact_ids: set[int]) -> None:
    # The record services delete the row right after the hook: deciding now would still count it.
    # The customers are decided once it is gone, when the transaction commits.
    if contact_ids:
        pending = db.session().info.setdefault(_PENDING, {})
        pending.setdefault(current_tenant_id(), set()).update(contact_ids)


@event.listens_for(Session, "before_commit")
def _decide_pending(session: Session) -> None:
    from saas.modules.lifecycle import evaluation

    for tenant_id, contact_ids in session.info.pop(_PENDING, {}).items():
        with tenant_context(tenant_id):
            evaluation.evaluate_contacts(sorted(contact_ids))


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:     # the outermost transaction: nothing was deleted
        session.info.pop(_PENDING, None)
