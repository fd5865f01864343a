"""Full re-evaluations as background jobs: nightly (the platform's scheduled jobs, rq's scheduler)
and on demand from the board, with progress the board polls."""
from __future__ import annotations

import logging

from sqlalchemy import select

from saas.extensions import db
from saas.jobs import enqueue, report_progress
from saas.modules.lifecycle.models import Evaluation

log = logging.getLogger("saas.lifecycle")
STEPS = 3  # assign and record, apply, run the stages' actions


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


def _step(evaluation: Evaluation, done: int) -> None:
    evaluation.steps_done = done
    report_progress(done, STEPS)


def run_evaluation(evaluation_id: int) -> int:
    """The job: assign every customer (set-based), then run the actions of the moves. One
    transaction for the moves, so a failure leaves the stages as they were. Safe to retry."""
    from saas.modules.lifecycle import actions, evaluation as engine
    from saas.modules.lifecycle.evaluation import utcnow

    evaluation = get_evaluation(evaluation_id)
    if evaluation is None or evaluation.status == "done":
        return 0
    evaluation.status = "running"
    db.session.commit()
    try:
        moved = engine.evaluate_all(evaluation.id)
        _step(evaluation, 2)
        actions.run_for_evaluation(evaluation.id)
        evaluation.moved, evaluation.status, evaluation.finished_at = moved, "done", utcnow()
        _step(evaluation, 3)
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
