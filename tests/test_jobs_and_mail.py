"""Background jobs (inline, and through rq on Redis) and the one mail sender (outbox, SMTP)."""
from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from saas.extensions import db
from saas.jobs import enqueue, redis_connection
from saas.mail import OutboxMessage, send_mail
from saas.tenants.context import current_tenant_id, tenant_context
from tests.conftest import REDIS_URL

seen: list = []


def record_tenant(label: str) -> None:
    """A job that notes which tenant it ran for."""
    seen.append((label, current_tenant_id()))


def test_jobs_carry_the_tenant_they_were_enqueued_for(app):
    seen.clear()
    with tenant_context(7):
        enqueue(record_tenant, "first")
    if redis_connection() is not None:
        _work_off_queues()
    assert seen == [("first", 7)]
    assert current_tenant_id() is None


@pytest.mark.skipif(not REDIS_URL, reason="the rq path needs REDIS_URL (CI's second run sets it)")
def test_with_redis_jobs_go_through_rq(app):
    from rq import Queue

    job_id = enqueue(record_tenant, "queued", tenant_id=3, queue="default")
    queue = Queue("default", connection=redis_connection())
    assert job_id in queue.job_ids
    assert queue.fetch_job(job_id).meta["tenant_id"] == 3


def _work_off_queues() -> None:
    from rq import SimpleWorker

    from saas.jobs import QUEUES

    SimpleWorker(list(QUEUES), connection=redis_connection()).work(burst=True)


def test_without_smtp_mail_lands_in_the_outbox_and_the_log(app, caplog):
    with caplog.at_level("INFO", logger="saas.mail"):
        send_mail("amy@example.com", "Hello", "Body text")
        db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    assert (message.to, message.subject, message.status) == ("amy@example.com", "Hello", "logged")
    assert "mail to amy@example.com" in caplog.text


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def test_with_smtp_mail_is_delivered_by_a_job(app):
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
        send_mail("amy@example.com", "Welcome", "Hello Amy")
        db.session.commit()  # delivery waits for the commit
        if redis_connection() is not None:
            _work_off_queues()
        db.session.expire_all()
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "sent"
        assert inbox.messages[0].rcpt_tos == ["amy@example.com"]
        assert b"Hello Amy" in inbox.messages[0].content
    finally:
        controller.stop()
