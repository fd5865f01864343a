"""The core module's pages: record lists and record pages per object, search, the field studio."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the core blueprints under the workspace prefix."""
