"""Webhook subscriptions and deliveries.

An event becomes one WebhookDelivery row per subscribed, enabled webhook, written in the
transaction that raised it; the `deliver` job (queue "webhooks") runs after the commit. A failed
attempt is retried with exponential backoff (RETRY_BASE_SECONDS × 2^(attempt−1), up to
MAX_ATTEMPTS attempts): the row keeps `next_attempt_at`, and the scheduled `retry_due` job
re-queues due rows, so retries survive worker restarts and work without Redis. After
WEBHOOK_DISABLE_AFTER consecutive failed attempts the webhook is disabled and the workspace's
admins get a mail; its page shows why.
"""
from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from urllib.parse import urlsplit

import requests
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.jobs import enqueue
from saas.modules.webhooks import signing
from saas.modules.webhooks.events import ALL, PING, known_events
from saas.modules.webhooks.models import Webhook, WebhookDelivery
from saas.tenants.context import current_tenant_id

log = logging.getLogger("saas.webhooks")

MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 30
RESPONSE_KEPT = 2000
USER_AGENT = "Orchard-Webhooks/1"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns: they are stored in UTC.
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return timedelta(seconds=RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))


def disable_after() -> int:
    return int(current_app.config.get("WEBHOOK_DISABLE_AFTER", 10))


# --- subscriptions ---------------------------------------------------------------------------

def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise InputError({"url": _("Enter a web address starting with http:// or https://.")})
    return url


def _check_events(events: list[str] | None) -> list[str]:
    events = list(dict.fromkeys(events or []))
    if not events:
        raise InputError({"events": _("Choose at least one event.")})
    unknown = [e for e in events if e not in known_events()]
    if unknown:
        raise InputError({"events": _("Unknown events: %(events)s", events=", ".join(unknown))})
    return [ALL] if ALL in events else events


def webhooks() -> list[Webhook]:
    """The workspace's webhooks, newest first."""
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id.desc())))


def get_webhook(webhook_id: int) -> Webhook | None:
    """A webhook of the workspace in context (another workspace's id: None)."""
    return db.session.scalar(select(Webhook).where(Webhook.id == webhook_id))


def create_webhook(url: str, events: list[str], description: str | None = None,
                   created_by_id: int | None = None) -> Webhook:
    """Subscribe `url` to `events` with a new secret."""
    webhook = Webhook(url=_check_url(url), events=_check_events(events),
                      description=(description or "").strip()[:200] or None, secret=signing.new_secret(),
                      enabled=True, consecutive_failures=0, created_by_id=created_by_id)
    db.session.add(webhook)
    db.session.flush()
    return webhook


def update_webhook(webhook: Webhook, url: str, events: list[str], description: str | None) -> Webhook:
    webhook.url = _check_url(url)
    webhook.events = _check_events(events)
    webhook.description = (description or "").strip()[:200] or None
    db.session.flush()
    return webhook


def set_enabled(webhook: Webhook, enabled: bool) -> None:
    """Turn a webhook on (its failure count starts again) or off by an admin."""
    webhook.enabled = enabled
    if enabled:
        webhook.consecutive_failures, webhook.disabled_reason, webhook.disabled_at = 0, None, None
    else:
        webhook.disabled_reason, webhook.disabled_at = "admin", utcnow()
    db.session.flush()


def rotate_secret(webhook: Webhook) -> str:
    webhook.secret = signing.new_secret()
    db.session.flush()
    return webhook.secret


def delete_webhook(webhook: Webhook) -> None:
    db.session.delete(webhook)
    db.session.flush()


def deliveries(webhook: Webhook, limit: int = 50) -> list[WebhookDelivery]:
    """The webhook's latest deliveries, newest first."""
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit)))


# --- events ----------------------------------------------------------------------------------

def _payload(event: str, data: dict, event_id: str) -> dict:
    from saas.tenants.models import Workspace

    workspace = db.session.get(Workspace, current_tenant_id())
    return {"id": event_id, "event": event, "created_at": utcnow().isoformat().replace("+00:00", "Z"),
            "workspace": {"id": workspace.id, "slug": workspace.slug}, "data": data}


def emit(event: str, data: dict) -> list[WebhookDelivery]:
    """Queue `event` with `data` for every enabled webhook of the workspace in context that
    subscribed to it; the deliveries leave when the caller's transaction commits."""
    return emit_each(event, [data])


def emit_each(event: str, items: Iterable[dict]) -> list[WebhookDelivery]:
    """`emit` for many events of one kind (a batch of imported records): one event per item, the
    subscribed webhooks read once (and the items not made at all when none subscribed)."""
    targets = [w for w in db.session.scalars(select(Webhook).where(Webhook.enabled.is_(True))) if w.wants(event)]
    if not targets:
        return []
    rows = []
    for data in items:
        event_id = f"evt_{uuid.uuid4().hex}"
        payload = _payload(event, data, event_id)
        for webhook in targets:
            row = WebhookDelivery(webhook_id=webhook.id, event_id=event_id, event=event, payload=payload,
                                  status="pending", attempts=0)
            db.session.add(row)
            rows.append(row)
    db.session.flush()
    for row in rows:
        enqueue(deliver, row.id, queue="webhooks")
    return rows


def send_test(webhook: Webhook) -> WebhookDelivery:
    """Queue a "ping" to the webhook (sent even while it is disabled; never retried)."""
    event_id = f"evt_{uuid.uuid4().hex}"
    row = WebhookDelivery(webhook_id=webhook.id, event_id=event_id, event=PING,
                          payload=_payload(PING, {"webhook_id": webhook.id}, event_id), status="pending", attempts=0)
    db.session.add(row)
    db.session.flush()
    enqueue(deliver, row.id, queue="webhooks")
    return row


# --- delivery (jobs) -------------------------------------------------------------------------

def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent, and signed."""
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def _post(webhook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str | None, str | None]:
    body = body_of(delivery)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               signing.HEADER: signing.sign(webhook.secret, body), "Orchard-Event": delivery.event,
               "Orchard-Delivery": delivery.event_id}
    try:
        response = requests.post(webhook.url, data=body, headers=headers, allow_redirects=False,
                                 timeout=float(current_app.config.get("WEBHOOK_TIMEOUT", 10)))
    except requests.RequestException as exc:
        return None, None, f"{type(exc).__name__}: {exc}"[:500]
    return response.status_code, response.text[:RESPONSE_KEPT], None


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """Send one delivery (a job; safe to run twice: a delivered one is not sent again).
    Returns its status afterwards."""
    delivery = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id))
    if delivery is None or delivery.status in ("succeeded", "failed"):
        return None if delivery is None else delivery.status
    webhook = get_webhook(delivery.webhook_id)
    ping = delivery.event == PING
    if webhook is None or (not webhook.enabled and not ping):
        delivery.status, delivery.error = "failed", "The webhook is disabled."
        db.session.commit()
        return delivery.status
    code, text, error = _post(webhook, delivery)
    moment = now or utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.response_code, delivery.response_body = moment, code, text
    delivery.error = error or (None if code is not None and 200 <= code < 300 else f"HTTP {code}")
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.next_attempt_at = "succeeded", None
        if not ping:
            webhook.consecutive_failures = 0
    elif ping:
        delivery.status = "failed"
    else:
        _failed(webhook, delivery, moment)
    db.session.commit()
    log.info("webhook %s delivery %s: %s (attempt %s)", webhook.id, delivery.id, delivery.status, delivery.attempts)
    return delivery.status


def _failed(webhook: Webhook, delivery: WebhookDelivery, moment: datetime) -> None:
    webhook.consecutive_failures = (webhook.consecutive_failures or 0) + 1
    if webhook.consecutive_failures >= disable_after():
        delivery.status, delivery.next_attempt_at = "failed", None
        if webhook.enabled:
            webhook.enabled, webhook.disabled_reason, webhook.disabled_at = False, "failures", moment
            _notify_admins(webhook)
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status, delivery.next_attempt_at = "retrying", moment + backoff(delivery.attempts)


def _notify_admins(webhook: Webhook) -> None:
    from saas.mail import send_mail
    from saas.tenants.models import Workspace
    from saas.tenants.roles import has_permission
    from saas.tenants.workspaces import members
    from saas.web.urls import external_url

    workspace = db.session.get(Workspace, webhook.tenant_id)
    link = external_url("webhooks.detail", workspace_slug=workspace.slug, webhook_id=webhook.id)
    subject = _("Webhook disabled in %(workspace)s", workspace=workspace.name)
    body = _("The webhook to %(url)s failed %(count)s times in a row and was turned off. "
             "Check the endpoint, then turn it on again: %(link)s",
             url=webhook.url, count=webhook.consecutive_failures, link=link)
    for member in members(workspace):
        if has_permission(member.role, "settings.manage"):
            send_mail(member.user.email, subject, body, tenant_id=workspace.id)


def retry_due(now: datetime | None = None, limit: int = 500) -> int:
    """Queue the deliveries whose retry time has come (a scheduled job per workspace)."""
    moment = now or utcnow()
    due = list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.status == "retrying",
                                      WebhookDelivery.next_attempt_at <= moment)
        .order_by(WebhookDelivery.next_attempt_at).limit(limit)))
    for row in due:
        row.status, row.next_attempt_at = "pending", None
        enqueue(deliver, row.id, queue="webhooks")
    db.session.commit()
    return len(due)


def retry_now(delivery: WebhookDelivery) -> None:
    """An admin's "retry": send a failed delivery once more now."""
    delivery.status, delivery.next_attempt_at = "pending", None
    db.session.flush()
    enqueue(deliver, delivery.id, queue="webhooks")


def record_event(object_key: str, record_id: int, change: str, before: Any, after: Any) -> None:
    """The record_changed hook's work: "<object>.<change>" with the record before and after."""
    emit(f"{object_key}.{change}", {"object": object_key, "id": record_id, "change": change,
                                    "before": before, "after": after})


def records_created_events(object_key: str, records: list[dict]) -> None:
    """The records_created hook's work: "<object>.created" for each record, as record_event sends it."""
    emit_each(f"{object_key}.created", ({"object": object_key, "id": record["id"], "change": "created",
                                         "before": None, "after": record} for record in records))
