"""The billing module's settings, with defaults that work on a laptop."""
from __future__ import annotations

import os

from flask import Flask


def configure(app: Flask) -> None:
    """Settings from the environment unless the app's config already has them (tests)."""
    # Days a workspace keeps its paid plan after a failed payment, before Free limits apply.
    app.config.setdefault("BILLING_GRACE_DAYS", int(os.environ.get("BILLING_GRACE_DAYS", "7")))
