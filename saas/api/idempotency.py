"""Idempotency-Key on POST: the first answer is kept with the change it made, in the same
transaction, and a retry with the same key gets that answer (header Idempotent-Replayed: true)
instead of a second record. The same key with a different request answers 422
(code "idempotency_key_reused"); one still being worked on by a concurrent request answers 409.

Only successful answers are kept: a request that failed changed nothing, so its retry runs again.
"""
from __future__ import annotations

import hashlib
import json
from typing import Callable

from flask import Response, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.api.errors import ApiError
from saas.api.models import IdempotencyKey
from saas.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _request_hash(payload) -> str:
    canonical = json.dumps([request.method, request.path, payload], sort_keys=True, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(row: IdempotencyKey, request_hash: str) -> Response:
    if row.request_hash != request_hash:
        raise ApiError(422, "idempotency_key_reused",
                       _("This Idempotency-Key was used with a different request."), {HEADER: _("Use a new key.")})
    response = jsonify(row.body)
    response.status_code = row.status
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(payload, handle: Callable[[], tuple[dict, int]]) -> Response:
    """Run `handle()` (which changes data and returns (body, status) without committing) once
    per Idempotency-Key; commit its change together with the key."""
    key = request.headers.get(HEADER)
    if key is None:
        body, status = handle()
        db.session.commit()
        return _respond(body, status)
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(400, "bad_idempotency_key",
                       _("Give an Idempotency-Key of 1 to %(max)s characters.", max=MAX_KEY_LENGTH),
                       {HEADER: _("Give an Idempotency-Key of 1 to %(max)s characters.", max=MAX_KEY_LENGTH)})
    request_hash = _request_hash(payload)
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
    if row is not None:
        return _replay(row, request_hash)
    body, status = handle()
    db.session.add(IdempotencyKey(key=key, request_hash=request_hash, status=status, body=body,
                                  token_id=g.api_token.id))
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent request with the same key committed first: its answer stands, ours is undone.
        db.session.rollback()
        row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
        if row is None:
            raise ApiError(409, "conflict", _("A request with this Idempotency-Key is in progress.")) from None
        return _replay(row, request_hash)
    return _respond(body, status)


def _respond(body: dict, status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response
