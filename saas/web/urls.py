"""Absolute links for mails and jobs, where there may be no request to build them from."""
from __future__ import annotations

from flask import current_app
from urllib.parse import urlsplit


def external_url(endpoint: str, **values) -> str:
    """BASE_URL joined with the path of `endpoint`, in or outside a request."""
    base = current_app.config["BASE_URL"].rstrip("/")
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc or "localhost", script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)
