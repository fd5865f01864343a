"""Helpers for the lifecycle tests: customers and orders through the record services."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

from saas.extensions import db
from saas.modules.core.models import Contact, Order
from saas.modules.core.records import create_record
from saas.modules.lifecycle import rules

TODAY = datetime.now(timezone.utc).date()
_numbers = count(1)


def contact(name: str = "王伟", owner_id: int | None = None, **extra) -> Contact:
    record = create_record("contact", {"name": name, **({"owner": owner_id} if owner_id else {}), **extra})
    db.session.commit()
    return record


def order(contact_id: int, days_ago: int = 0, amount: str = "100", status: str = "paid", through_service: bool = True):
    number = f"O-{contact_id}-{next(_numbers)}"
    on = (TODAY - timedelta(days=days_ago)).isoformat()
    if through_service:
        record = create_record("order", {"number": number, "contact": contact_id, "ordered_on": on,
                                         "amount": amount, "status": status})
    else:
        record = Order(number=number, contact_id=contact_id, ordered_on=TODAY - timedelta(days=days_ago),
                       amount=amount, status=status, custom={})
        db.session.add(record)
        db.session.flush()
    return record


def rule(name: str, stage, conditions: list[dict], match: str = "all"):
    row = rules.save_rule(None, name, stage.id, match, conditions)
    db.session.commit()
    return row


def stage_of(contact_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(Contact, contact_id).lifecycle_stage


def run_jobs() -> None:
    """Without Redis jobs ran inline already; with Redis, work the queues now, in this process."""
    from tests.conftest import REDIS_URL

    if not REDIS_URL:
        return
    from flask import current_app
    from rq import SimpleWorker

    from saas.jobs import QUEUES, redis_connection

    # An app context of its own, as in a worker: the jobs' session is not the test's.
    with current_app.app_context():
        SimpleWorker(list(QUEUES), connection=redis_connection()).work(burst=True)
    db.session.expire_all()


def full_run() -> int:
    """Queue a full re-evaluation, let it run, return how many customers it moved."""
    from saas.modules.lifecycle import jobs

    run = jobs.start("manual")
    db.session.commit()
    run_jobs()
    return jobs.get_evaluation(run.id)
