"""Webhook test helpers: a receiver on loopback, and running queued jobs when Redis is in use."""
from __future__ import annotations

import pytest

from tests.conftest import REDIS_URL
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def run_jobs() -> None:
    """Without Redis jobs ran inline already; with Redis, work the queues now, in this process."""
    if not REDIS_URL:
        return
    from flask import current_app
    from rq import SimpleWorker

    from saas.jobs import QUEUES, redis_connection

    # An app context of its own, as in a worker: the jobs' session is not the test's.
    with current_app.app_context():
        SimpleWorker(list(QUEUES), connection=redis_connection()).work(burst=True)
