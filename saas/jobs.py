"""Background jobs: rq on Redis when REDIS_URL is set, inline in the process otherwise.

Jobs are plain functions called by dotted name with JSON-able arguments (ids, never ORM
objects). They carry the tenant id they run for, and run inside an app context and that
tenant's context, so the isolation walls hold in workers as they do in requests.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue, get_current_job
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("saas.jobs")

QUEUES = ("default", "mail", "imports", "webhooks", "analytics")


def redis_connection() -> Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    conn = current_app.extensions.get("saas_redis")
    if conn is None:
        conn = current_app.extensions["saas_redis"] = Redis.from_url(url)
    return conn


def enqueue(func: Callable, *args: Any, queue: str = "default", tenant_id: int | None = None,
            job_id: str | None = None, **kwargs: Any) -> str | None:
    """Run func(*args, **kwargs) in the background for `tenant_id` (defaults to the one in context).

    Inside an open transaction the job waits for its commit, so it sees the rows the caller
    wrote, and is dropped on rollback. Returns the rq job id when sent now, else None.
    """
    from saas.extensions import db
    from saas.tenants.context import current_tenant_id

    if tenant_id is None:
        tenant_id = current_tenant_id()
    job = (f"{func.__module__}.{func.__qualname__}", tenant_id, list(args), kwargs, queue, job_id)
    session = db.session()
    if session.in_transaction():
        session.info.setdefault("pending_jobs", []).append(job)
        return None
    return _dispatch(*job)


def _dispatch(name: str, tenant_id: int | None, args: list, kwargs: dict, queue: str,
              job_id: str | None) -> str | None:
    conn = redis_connection()
    if conn is None:
        # Inline: in an app context of its own, hence a session of its own, as in a worker.
        with current_app.app_context():
            execute(name, tenant_id, args, kwargs)
        return None
    job = Queue(queue, connection=conn).enqueue(
        execute, name, tenant_id, args, kwargs, job_id=job_id,
        meta={"tenant_id": tenant_id}, result_ttl=86400, failure_ttl=7 * 86400,
    )
    return job.id


@event.listens_for(Session, "after_commit")
def _send_pending_jobs(session) -> None:
    for job in session.info.pop("pending_jobs", []):
        _dispatch(*job)


@event.listens_for(Session, "after_rollback")
def _drop_pending_jobs(session) -> None:
    session.info.pop("pending_jobs", None)


def _resolve(name: str) -> Callable:
    import importlib

    module_name, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def execute(name: str, tenant_id: int | None, args: list, kwargs: dict) -> Any:
    """The entry point of every job, inline or in an rq worker."""
    if not has_app_context():
        from saas import create_app

        with create_app().app_context():
            return execute(name, tenant_id, args, kwargs)
    from saas.extensions import db
    from saas.tenants.context import tenant_context

    job = get_current_job()
    log.info("job %s %s for tenant %s", job.id if job else "inline", name, tenant_id)
    try:
        if tenant_id is None:
            return _resolve(name)(*args, **kwargs)
        with tenant_context(tenant_id):
            return _resolve(name)(*args, **kwargs)
    finally:
        db.session.remove()


def report_progress(done: int, total: int) -> None:
    """Record a running job's progress; the browser polls it for a progress bar."""
    job = get_current_job()
    if job is not None:
        job.meta["progress"] = {"done": done, "total": total}
        job.save_meta()
