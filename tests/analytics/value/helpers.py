"""Orders for the customer value tests, and running the job's queued work."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from saas.extensions import db
from saas.modules.core.models import Contact, Order


def customer(name: str, orders: list[tuple[str, str]] | list[tuple[str, str, str]]) -> Contact:
    """A contact with orders given as (ISO date, amount) or (ISO date, amount, status)."""
    contact = Contact(name=name, custom={})
    db.session.add(contact)
    db.session.flush()
    for k, order in enumerate(orders):
        day, amount, status = (order + ("paid",))[:3]
        db.session.add(Order(number=f"{name}-{k}", contact_id=contact.id, ordered_on=date.fromisoformat(day),
                             amount=Decimal(amount), currency="CNY", status=status, custom={}))
    db.session.flush()
    return contact


def work_off_jobs() -> None:
    """Run the queued jobs now (with Redis they wait in rq; without it they ran inline already)."""
    from flask import current_app
    from rq import SimpleWorker

    from saas.jobs import QUEUES, redis_connection

    connection = redis_connection()
    if connection is not None:
        # An app context of its own, as in a worker: the job's session is not the test's.
        with current_app.app_context():
            SimpleWorker(list(QUEUES), connection=connection).work(burst=True)
