"""Secrets that carry their workspace: API tokens and invitation links.

A token reads `<prefix>_<tenant id>_<secret>`. The tenant id is public and lets the lookup run
inside that workspace's context (row-level security included); only a SHA-256 of the secret is
stored, so a database leak gives no usable token.
"""
from __future__ import annotations

import hashlib
import secrets


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_tenant_token(prefix: str, tenant_id: int) -> tuple[str, str]:
    """A new token and the hash to store."""
    secret = secrets.token_urlsafe(32)
    return f"{prefix}_{tenant_id}_{secret}", hash_secret(secret)


def parse_tenant_token(prefix: str, token: str) -> tuple[int, str] | None:
    """(tenant id, secret hash) of a well-formed token, else None."""
    parts = (token or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != prefix or not parts[1].isdigit() or len(parts[2]) < 20:
        return None
    return int(parts[1]), hash_secret(parts[2])
