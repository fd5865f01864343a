"""Signatures of webhook deliveries.

Every delivery carries the header

    Orchard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>

where v1 = HMAC-SHA256(key = the webhook's secret, message = "<t>." + the raw request body).
A receiver recomputes v1 over the body bytes exactly as received, compares in constant time
(`hmac.compare_digest`) and refuses a `t` more than TOLERANCE seconds from its clock (replays).
`verify()` below is that check, usable by receivers written in Python.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER = "Orchard-Signature"
TOLERANCE = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The Orchard-Signature header value for `body`."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, now: float | None = None, tolerance: int = TOLERANCE) -> bool:
    """Whether `header` is a valid signature of `body` made within `tolerance` seconds."""
    parts = dict(item.split("=", 1) for item in (header or "").split(",") if "=" in item)
    timestamp, given = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or not given:
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, body, int(timestamp)).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)
