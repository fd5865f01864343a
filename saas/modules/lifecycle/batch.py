"""Evaluation for records created in a batch (hook records_created: a chunk of an import).

What the record_changed path does for each new record (events.py), once for the batch: the
customers' stages decided by the same SELECT (plan), the moves written with one INSERT ... SELECT,
applied with one UPDATE per stage reached, and the stages' actions run for them.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import Integer, cast, insert, literal, select, update

from saas.extensions import db
from saas.modules.core.bulk import any_of
from saas.modules.core.models import Contact
from saas.modules.lifecycle.models import LifecycleMove
from saas.tenants.context import current_tenant_id
from saas.tenants.models import utcnow


def on_records_created(object_key: str, records: list[dict]) -> None:
    """The lifecycle module's part of the records_created hook."""
    from saas.modules.lifecycle import history

    if object_key in ("order", "activity"):
        evaluate_many(record.get("contact") for record in records)
    elif object_key == "contact":
        # A stage given with the new record is kept in its history (nobody has edited the stage of
        # a new record yet: no user beside the move).
        for record in records:
            if record.get("lifecycle_stage"):
                history.record_edit(record["id"], None, record["lifecycle_stage"], None)
        evaluate_many(record["id"] for record in records)


def evaluate_many(contact_ids: Iterable[int | None], today: date | None = None) -> int:
    """evaluate_contacts for a batch of customers, set-based; returns how many moved."""
    from saas.modules.lifecycle import actions
    from saas.modules.lifecycle.evaluation import plan

    ids = sorted({i for i in contact_ids if isinstance(i, int)})
    p = plan(ids, today=today) if ids else None
    if p is None:
        return 0
    t = p.statement.subquery("lc_changes")
    moves = LifecycleMove.__table__
    moved = db.session.execute(insert(moves).from_select(
        ["tenant_id", "contact_id", "from_stage", "to_stage", "source", "rule_id", "rule_name", "moved_at"],
        # Without rules rule_id is a bare NULL, which PostgreSQL would take for text.
        select(literal(current_tenant_id()), t.c.contact_id, t.c.from_stage, t.c.to_stage, t.c.source,
               cast(t.c.rule_id, Integer), t.c.rule_name, literal(utcnow(), moves.c.moved_at.type)))
        .returning(moves.c.id, moves.c.contact_id, moves.c.to_stage)).all()
    by_stage: dict[str, list[int]] = {}
    for row in moved:
        by_stage.setdefault(row.to_stage, []).append(row.contact_id)
    for stage, members in by_stage.items():
        # Through the ORM: a contact the caller holds in this session sees its new stage.
        db.session.execute(update(Contact).where(any_of(Contact.id, members)).values(lifecycle_stage=stage))
    by_action = actions._actions_by_stage() if moved else None
    if by_action:
        actions.run_for_moves(db.session.scalars(select(LifecycleMove).where(
            any_of(LifecycleMove.id, [row.id for row in moved]))), by_action)
    return len(moved)
