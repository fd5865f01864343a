"""Isolation-walk factories for the customer value pages (see tests/isolation.py)."""
from __future__ import annotations

from saas.extensions import db
from saas.modules.analytics.predictions import CustomerValueRun
from tests.tenants.isolation_records import _state


def value_run(tenant):
    run = CustomerValueRun(status="done", customers=0, repeat_customers=0, orders=0, segments={})
    db.session.add(run)
    db.session.commit()
    return run.id, _state(CustomerValueRun, run.id)


RECORD_FACTORIES = {
    "value_run_id": value_run,
}
