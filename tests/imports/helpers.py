"""Making import runs from text in the tests."""
from __future__ import annotations

import io

from saas.extensions import db
from saas.modules.imports import importer, runs


def start(text: str | bytes, *, columns=None, match_on=None, on_duplicate="skip", dry_run=False,
          name="people.csv", encoding=None, object_key="contact"):
    """Upload `text`, configure it and run it inline; returns the finished run."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    run = runs.upload(io.BytesIO(data), name, object_key, None, encoding)
    runs.configure(run, columns if columns is not None else run.mapping, match_on, on_duplicate, dry_run)
    run.status = "queued"
    db.session.commit()
    return importer.run_import(run.id)


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
