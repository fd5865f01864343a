"""Jobs the rq worker benchmark enqueues. They run through saas.jobs like every job: in an app
context and the tenant context of the workspace they carry."""
from __future__ import annotations

import csv
import os
import tempfile


def noop() -> int:
    """The smallest job: the worker's memory with nothing but the app loaded."""
    return 0


def export_contacts(batch: int = 500) -> int:
    """Write every contact of the workspace in context to a CSV file, page by page, as an export
    would; returns how many. Until the import/export module has an export job, this is the
    largest job there is: it touches every contact of the workspace."""
    from saas.jobs import report_progress

    path = tempfile.mkstemp(prefix="bench-export-", suffix=".csv")[1]
    done = 0
    try:
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            for rows, total in _pages(batch):
                if done == 0 and rows:
                    writer.writerow(list(rows[0]))
                writer.writerows([list(r.values()) for r in rows])
                done += len(rows)
                report_progress(done, total)
    finally:
        os.unlink(path)
    return done


def _pages(batch: int):
    """(rows as dicts, total) pages of every contact with every visible field, by the query builder."""
    from saas.extensions import db
    from saas.metadata.query import build_query, count, page

    q = build_query("contact", sort="id")
    total = count(q)
    cursor = None
    while True:
        result = page(q, limit=batch, cursor=cursor)
        yield result.rows, total
        db.session.expunge_all()
        cursor = result.next_cursor
        if cursor is None:
            return
