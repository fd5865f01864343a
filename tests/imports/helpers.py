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
