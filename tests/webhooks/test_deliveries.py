"""Webhook deliveries against a real HTTP server: signature, events from the API, retries with
backoff, automatic disabling with a notice to the admins, and the settings pages."""
from __future__ import annotations

import json
import time
from datetime import timedelta

from sqlalchemy import select

from saas.extensions import db
from saas.mail import OutboxMessage
from saas.modules.webhooks import services, signing
from saas.modules.webhooks.models import Webhook, WebhookDelivery
from saas.tenants.context import tenant_context
from tests.api.conftest import Api, token_for
from tests.webhooks.conftest import run_jobs


def _subscribe(tenant, url, events=("*",)) -> tuple[int, str]:
    with tenant_context(tenant.id):
        hook = services.create_webhook(url, list(events), "ERP", tenant.owner.id)
        db.session.commit()
        return hook.id, hook.secret


def _deliveries(tenant) -> list[WebhookDelivery]:
    with tenant_context(tenant.id):
        db.session.expire_all()
        return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_record_events_from_the_api_arrive_signed(app, client, two_workspaces, receiver):
    a, b = two_workspaces
    app.config["API_RATE_LIMIT"] = "1000 per minute"
    _hook, secret = _subscribe(a, receiver.url, ["contact.created", "contact.updated", "contact.deleted"])
    _subscribe(b, receiver.url)  # B's webhook must hear nothing of A
    api = Api(client, token_for(a))
    contact = api.post("/api/v1/contacts", json={"name": "Chen Jie"}).get_json()
    api.patch(f"/api/v1/contacts/{contact['id']}", json={"title": "CEO"})
    api.post("/api/v1/companies", json={"name": "Not subscribed"})
    api.delete(f"/api/v1/contacts/{contact['id']}")
    run_jobs()

    assert [r.headers["Orchard-Event"] for r in receiver.received] == [
        "contact.created", "contact.updated", "contact.deleted"]
    for item in receiver.received:
        header = item.headers[signing.HEADER]
        assert signing.verify(secret, item.body, header)
        # The documented recipe, written out: HMAC-SHA256 over "<t>.<body>".
        import hashlib
        import hmac

        parts = dict(p.split("=", 1) for p in header.split(","))
        expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + item.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300
        assert not signing.verify(secret, item.body + b" ", header)
        assert not signing.verify("whsec_wrong", item.body, header)
    updated = json.loads(receiver.received[1].body)
    assert updated["workspace"]["id"] == a.id
    assert updated["data"]["before"]["title"] is None and updated["data"]["after"]["title"] == "CEO"
    assert json.loads(receiver.received[2].body)["data"]["after"] is None
    assert all(d.status == "succeeded" and d.response_code == 200 for d in _deliveries(a))
    assert _deliveries(b) == []


def test_failures_retry_with_backoff_then_succeed(app, two_workspaces, receiver):
    a, _b = two_workspaces
    receiver.statuses = [500, 503, 200]
    hook_id, _secret = _subscribe(a, receiver.url)
    with tenant_context(a.id):
        services.emit("contact.created", {"id": 1})
        db.session.commit()
    run_jobs()
    first = _deliveries(a)[0]
    assert (first.status, first.attempts, first.response_code) == ("retrying", 1, 500)
    assert first.next_attempt_at - first.last_attempt_at == timedelta(seconds=services.RETRY_BASE_SECONDS)

    with tenant_context(a.id):
        assert services.retry_due() == 0  # not due yet
        later = services._aware(first.next_attempt_at) + timedelta(seconds=1)
        assert services.retry_due(now=later) == 1
    run_jobs()
    second = _deliveries(a)[0]
    assert (second.status, second.attempts, second.response_code) == ("retrying", 2, 503)
    assert second.next_attempt_at - second.last_attempt_at == timedelta(seconds=2 * services.RETRY_BASE_SECONDS)

    with tenant_context(a.id):
        services.retry_due(now=services._aware(second.next_attempt_at) + timedelta(seconds=1))
    run_jobs()
    done = _deliveries(a)[0]
    assert (done.status, done.attempts, done.response_code) == ("succeeded", 3, 200)
    # The same event id on every attempt, so receivers can drop duplicates.
    assert len({r.headers["Orchard-Delivery"] for r in receiver.received}) == 1
    with tenant_context(a.id):
        assert db.session.get(Webhook, hook_id).consecutive_failures == 0


def test_repeated_failures_disable_the_webhook_and_tell_the_admins(app, client, two_workspaces, receiver,
                                                                   login_as):
    a, _b = two_workspaces
    app.config["WEBHOOK_DISABLE_AFTER"] = 3
    receiver.statuses = [500]
    hook_id, _secret = _subscribe(a, receiver.url)
    with tenant_context(a.id):
        for i in range(3):
            services.emit("contact.created", {"id": i})
        db.session.commit()
    run_jobs()
    with tenant_context(a.id):
        hook = db.session.get(Webhook, hook_id)
        assert (hook.enabled, hook.disabled_reason, hook.consecutive_failures) == (False, "failures", 3)
        services.emit("contact.created", {"id": 99})  # nothing more is queued for it
        db.session.commit()
    assert len(_deliveries(a)) == 3
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == a.owner.email)).all()
    assert any(receiver.url in m.body for m in mails)

    login_as(client, a.owner.email)
    page = client.get(f"/w/{a.slug}/settings/webhooks/{hook_id}").get_data(as_text=True)
    assert 'data-testid="webhook-disabled-banner"' in page and "500" in page
    assert 'data-testid="webhook-disabled-banner"' in client.get(f"/w/{a.slug}/settings/webhooks/").get_data(as_text=True)
    receiver.statuses = [200]
    client.post(f"/w/{a.slug}/settings/webhooks/{hook_id}/enable")
    with tenant_context(a.id):
        db.session.expire_all()
        hook = db.session.get(Webhook, hook_id)
        assert hook.enabled and hook.consecutive_failures == 0


def test_admins_add_test_and_turn_off_webhooks_on_the_page(app, client, two_workspaces, receiver, login_as):
    from tests import factories

    a, _b = two_workspaces
    login_as(client, a.owner.email)
    base = f"/w/{a.slug}/settings/webhooks"
    refused = client.post(f"{base}/", data={"url": "ftp://nope", "events": ["*"]})
    assert refused.status_code == 422 and "http://" in refused.get_data(as_text=True)
    added = client.post(f"{base}/", data={"url": receiver.url, "description": "Shop", "events": ["contact.created"]})
    assert added.status_code == 302
    hook_id = int(added.headers["Location"].rstrip("/").split("/")[-1])
    with tenant_context(a.id):
        secret = db.session.get(Webhook, hook_id).secret
    assert secret in client.get(f"{base}/{hook_id}").get_data(as_text=True)

    client.post(f"{base}/{hook_id}/test")
    run_jobs()
    assert json.loads(receiver.received[-1].body)["event"] == "ping"
    assert signing.verify(secret, receiver.received[-1].body, receiver.received[-1].headers[signing.HEADER])
    assert 'data-testid="response-code">200<' in client.get(f"{base}/{hook_id}").get_data(as_text=True)

    client.post(f"{base}/{hook_id}/disable")
    with tenant_context(a.id):
        services.emit("contact.created", {"id": 1})
        db.session.commit()
    run_jobs()
    assert len(receiver.received) == 1

    member = factories.member(a, "sales@alpha.example", role="member")
    client.post("/logout")
    login_as(client, member.email)
    assert client.get(f"{base}/").status_code == 403
