"""Full re-evaluations as background jobs: nightly (the platform's scheduled jobs, rq's scheduler)
and on demand from the board, with progress the board polls."""
from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from saas.extensions import db
from saas.jobs import enqueue, report_progress
from saas.modules.lifecycle.models import Evaluation
from saas.plugin_api import publish_record_event

log = logging.getLogger("saas.lifecycle")
# Progress in percent. The statement that decides, records and applies every move is one step the
# database cannot report inside; the stage actions' pass that follows fills the bar chunk by chunk.
STEPS = 100
DECIDED = 50     # the statement's share when actions follow it


def get_evaluation(evaluation_id: int) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(Evaluation.id == evaluation_id))


def latest_evaluation() -> Evaluation | None:
    return db.session.scalar(select(Evaluation).order_by(Evaluation.id.desc()).limit(1))


def start(trigger: str = "manual", user_id: int | None = None) -> Evaluation:
    """Queue a full re-evaluation (one at a time: a running one is returned instead)."""
    running = db.session.scalar(select(Evaluation).where(Evaluation.status.in_(("queued", "running")))
                                .order_by(Evaluation.id.desc()).limit(1))
    if running is not None:
        return running
    evaluation = Evaluation(trigger=trigger, status="queued", steps_done=0, steps_total=STEPS, moved=0,
                            user_id=user_id)
    db.session.add(evaluation)
    db.session.flush()
    enqueue(run_evaluation, evaluation.id)
    return evaluation


def _show_progress(evaluation_id: int, percent: int) -> None:
    """Let the board see the run's progress now, although its moves wait for the one commit at the
    end: on PostgreSQL through a short transaction of its own (the run never locks its row before
    that commit). SQLite takes one writer at a time, and nobody polls an inline run: there the
    progress waits for the commit too."""
    report_progress(percent, STEPS)
    if db.session.get_bind().dialect.name != "postgresql":
        return
    with Session(db.engine) as side:
        side.execute(update(Evaluation).where(Evaluation.id == evaluation_id)
                     .values(steps_done=percent, steps_total=STEPS))
        side.commit()


def run_evaluation(evaluation_id: int) -> int:
    """The job: assign every customer (set-based), then run the actions of the moves. One
    transaction for the moves, so a failure leaves the stages as they were. Safe to retry."""
    from saas.modules.lifecycle import actions, evaluation as engine
    from saas.modules.lifecycle.evaluation import utcnow

    evaluation = get_evaluation(evaluation_id)
    if evaluation is None or evaluation.status == "done":
        return 0
    evaluation.status, evaluation.steps_done, evaluation.steps_total = "running", 0, STEPS
    db.session.commit()
    try:
        moved = engine.evaluate_all(evaluation_id)
        acting = actions.count_for_evaluation(evaluation_id) if moved else 0
        if acting:
            _show_progress(evaluation_id, DECIDED)
        actions.run_for_evaluation(evaluation_id, progress=lambda done: _show_progress(
            evaluation_id, DECIDED + (STEPS - DECIDED) * done // max(acting, done)))
        evaluation = get_evaluation(evaluation_id)
        evaluation.moved, evaluation.status, evaluation.finished_at = moved, "done", utcnow()
        evaluation.steps_done = STEPS
        if moved:
            # Set-based writes pass by the record services: say once that customers moved
            # (report widgets drop their cached figures when this commits).
            publish_record_event("lifecycle_evaluation", evaluation_id, "done", None,
                                 {"id": evaluation_id, "trigger": evaluation.trigger, "moved": moved})
        report_progress(STEPS, STEPS)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("lifecycle evaluation %s failed", evaluation_id)
        evaluation = get_evaluation(evaluation_id)
        evaluation.status, evaluation.message, evaluation.finished_at = "failed", str(exc)[:500], utcnow()
        db.session.commit()
        raise
    log.info("lifecycle evaluation %s moved %d customers", evaluation_id, moved)
    return moved


def nightly() -> None:
    """The scheduled job, once per workspace with the module on: re-evaluate unless turned off."""
    from saas.modules.lifecycle.stages import settings

    if not settings().nightly:
        db.session.commit()
        return
    evaluation = start(trigger="schedule")
    db.session.commit()
    if evaluation.status == "queued":
        log.info("nightly lifecycle evaluation %s queued", evaluation.id)
