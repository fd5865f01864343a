"""The progress of a full re-evaluation: the board's poll sees it move while the run's one
transaction is still open, and sees no customer moved before that transaction commits."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.models import Contact
from saas.modules.lifecycle import actions
from saas.modules.lifecycle.models import Evaluation
from tests.conftest import ON_POSTGRES
from tests.lifecycle.helpers import contact, full_run, order, rule, stage_of


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite takes one writer at a time: there progress waits for the commit")
def test_the_board_sees_the_progress_before_the_moves(tenant, monkeypatch):
    purchase = definitions.stage_map()["purchase"]
    rule("Buyers", purchase, [{"type": "order_count", "compare": "at_least", "count": 1}])
    actions.add_action(purchase, "enter", "tag", {"tag": "customer"})
    people = [contact(name).id for name in ("李娜", "王伟")]
    for person in people:
        order(person, 2, through_service=False)
    db.session.commit()

    seen = []
    run_for_moves = actions.run_for_moves

    def watched(moves, by_stage=None):
        # What the board's poll reads, on a connection of its own, before each chunk of actions.
        with Session(db.engine) as board:
            run = board.scalar(select(Evaluation).order_by(Evaluation.id.desc()).limit(1))
            stages = set(board.scalars(select(Contact.lifecycle_stage).where(Contact.id.in_(people))))
            seen.append((run.status, run.percent, stages))
        return run_for_moves(moves, by_stage)

    monkeypatch.setattr(actions, "run_for_moves", watched)
    monkeypatch.setattr(actions, "CHUNK", 1)
    done = full_run()
    assert seen == [("running", 50, {"awareness"}), ("running", 75, {"awareness"})]
    assert (done.status, done.percent, done.moved) == ("done", 100, 2)
    assert {stage_of(p) for p in people} == {"purchase"}
