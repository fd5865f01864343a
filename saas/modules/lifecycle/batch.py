"""Evaluation for records created in a batch (a chunk of an import).

New customers get their stage before they are written (hook records_creating, when the rows
carry their ids: PostgreSQL): the rules are decided over the rows themselves, the stage is set in
them, and once they exist (hook records_created) their moves are recorded with one INSERT. A
second UPDATE of every new row, and of its indexes, is what this saves.

Otherwise, and for new orders and activities, what the record_changed path does for each record
(events.py) is done once for the batch: the stages decided by the same SELECT (plan), the moves
written with one INSERT ... SELECT and applied with one UPDATE per stage reached, and the
stages' actions run for them.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import Integer, cast, insert, literal, select, update
from sqlalchemy.exc import DataError

from saas.extensions import db
from saas.modules.core.bulk import any_of, insert_rows
from saas.modules.core.models import Contact
from saas.modules.lifecycle.models import LifecycleMove
from saas.tenants.context import current_tenant_id
from saas.tenants.models import utcnow

# The decisions of records_creating, by contact id, until records_created records them.
_DECIDED = "lifecycle_decided_new_contacts"


def on_records_creating(object_key: str, rows: list[dict]) -> None:
    """Set each new contact's stage in its row; keep the moves for on_records_created."""
    from saas.modules.lifecycle.evaluation import plan_new

    if object_key != "contact":
        return
    db.session.info.pop(_DECIDED, None)
    if not rows or any("id" not in row for row in rows):
        return
    p = plan_new(rows)
    if p is None:
        return
    try:
        with db.session.begin_nested():
            found = db.session.execute(p.statement).all()
    except DataError:
        # A value the contacts table will refuse (too long ...): decided once the batch is written.
        return
    by_id = {row["id"]: row for row in rows}
    decided = {}
    for move in found:
        row = by_id[move.contact_id]
        decided[row["id"]] = (row.get("lifecycle_stage"), move._asdict())
        row["lifecycle_stage"] = move.to_stage
    # A contact no rule moves keeps the stage it was given: nothing to record but that stage.
    for row in rows:
        decided.setdefault(row["id"], (row.get("lifecycle_stage"), None))
    db.session.info[_DECIDED] = decided


def on_records_created(object_key: str, records: list[dict]) -> None:
    """The lifecycle module's part of the records_created hook."""
    from saas.modules.lifecycle import history

    if object_key in ("order", "activity"):
        evaluate_many(record.get("contact") for record in records)
        return
    if object_key != "contact":
        return
    decided = db.session.info.pop(_DECIDED, {})
    undecided = []
    moves = []
    for record in records:
        if record["id"] not in decided:
            undecided.append(record)
            continue
        given, move = decided[record["id"]]
        if given:
            history.record_edit(record["id"], None, given, None)
        if move is not None:
            moves.append(move)
    _record_moves(moves)
    # A stage given with the new record is kept in its history (nobody has edited the stage of
    # a new record yet: no user beside the move).
    for record in undecided:
        if record.get("lifecycle_stage"):
            history.record_edit(record["id"], None, record["lifecycle_stage"], None)
    evaluate_many(record["id"] for record in undecided)


def _record_moves(moves: list[dict]) -> None:
    """The moves decided before the contacts were written, in one INSERT; their stages' actions run."""
    from saas.modules.lifecycle import actions

    if not moves:
        return
    now, tenant_id = utcnow(), current_tenant_id()
    insert_rows(LifecycleMove.__table__, [{**move, "tenant_id": tenant_id, "moved_at": now} for move in moves])
    by_action = actions._actions_by_stage()
    if by_action:
        actions.run_for_moves(db.session.scalars(select(LifecycleMove).where(
            any_of(LifecycleMove.contact_id, [move["contact_id"] for move in moves]))), by_action)


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
