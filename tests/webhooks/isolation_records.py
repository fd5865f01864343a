"""Isolation-walk factories for the webhooks module (see tests/isolation.py)."""
from __future__ import annotations

from saas.extensions import db
from saas.modules.webhooks import services
from saas.modules.webhooks.models import Webhook, WebhookDelivery
from tests.tenants.isolation_records import _state


def webhook(tenant):
    row = services.create_webhook("https://hooks.example.com/orchard", ["*"], "ERP", tenant.owner.id)
    db.session.commit()
    return row.id, _state(Webhook, row.id)


def delivery(tenant):
    hook = services.create_webhook("https://hooks.example.com/other", ["*"], None, tenant.owner.id)
    row = WebhookDelivery(webhook_id=hook.id, event_id="evt_isolation", event="contact.created",
                          payload={"data": {}}, status="failed", attempts=1)
    db.session.add(row)
    db.session.commit()
    return row.id, _state(WebhookDelivery, row.id)


RECORD_FACTORIES = {
    "webhook_id": webhook,
    "delivery_id": delivery,
}
