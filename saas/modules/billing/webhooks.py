"""Stripe webhooks: verify the signature, handle each event once, follow the subscription.

Order and repetition: Stripe may deliver an event twice and in any order. Each event id is
recorded in the same transaction as its effect, so a replay is recognised and changes nothing.
For the state itself we do not trust the order of snapshots: each subscription-related event
makes us read the subscription as Stripe holds it now, so a late event re-applies the current
state (a no-op) instead of rolling it back. An old subscription's events cannot override the
live one (see subscriptions.apply_subscription).

The workspace comes from Stripe's objects (metadata Orchard wrote when it created the customer
and the subscription); its account must have the same customer, so a subscription can never be
applied to a workspace whose customer it is not.
"""
from __future__ import annotations

import json
import logging

import stripe
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.extensions import db
from saas.modules.billing import stripe_api
from saas.modules.billing.accounts import account_for
from saas.modules.billing.models import BillingEvent
from saas.modules.billing.subscriptions import apply_subscription
from saas.tenants.context import tenant_context
from saas.tenants.models import Workspace

log = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = {
    "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    "customer.subscription.paused", "customer.subscription.resumed", "customer.subscription.trial_will_end",
}
INVOICE_EVENTS = {"invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed"}
CHECKOUT_EVENTS = {"checkout.session.completed"}
HANDLED = SUBSCRIPTION_EVENTS | INVOICE_EVENTS | CHECKOUT_EVENTS


class BadSignature(ValueError):
    """The payload was not signed with STRIPE_WEBHOOK_SECRET (or is too old, or not JSON)."""


def verify(payload: bytes, signature: str | None) -> dict:
    """The event in a webhook request, after checking its Stripe-Signature header."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret,
                                              tolerance=stripe.Webhook.DEFAULT_TOLERANCE)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise BadSignature(str(exc)) from None
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise BadSignature("not a Stripe event")
    return event


def _invoice_subscription(invoice: dict) -> str | None:
    # Newer API versions moved the subscription under parent.subscription_details.
    subscription = invoice.get("subscription")
    if not subscription:
        details = (invoice.get("parent") or {}).get("subscription_details") or {}
        subscription = details.get("subscription")
    return subscription.get("id") if isinstance(subscription, dict) else subscription


def _workspace_id(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _subscription_of(event: dict) -> tuple[str | None, int | None]:
    """The subscription an event is about, and the workspace the event itself names (checkout)."""
    kind = event["type"]
    obj = (event.get("data") or {}).get("object") or {}
    if kind in CHECKOUT_EVENTS:
        if obj.get("mode") != "subscription":
            return None, None
        return obj.get("subscription"), _workspace_id(
            obj.get("client_reference_id") or (obj.get("metadata") or {}).get("workspace_id"))
    if kind in SUBSCRIPTION_EVENTS:
        return obj.get("id"), None
    return _invoice_subscription(obj), None


def _workspace_of(subscription: dict) -> int | None:
    """The workspace Orchard wrote into the subscription's (or else its customer's) metadata."""
    workspace_id = _workspace_id((subscription.get("metadata") or {}).get("workspace_id"))
    if workspace_id is None and subscription.get("customer"):
        customer = stripe_api.retrieve_customer(subscription["customer"])
        workspace_id = _workspace_id((customer.get("metadata") or {}).get("workspace_id"))
    return workspace_id


def _apply(event: dict, subscription: dict, workspace_id: int) -> str:
    """Inside the workspace's tenant context: check the customer is ours, then follow the subscription."""
    workspace = db.session.get(Workspace, workspace_id)
    if workspace is None:
        return "ignored_unknown_workspace"
    account = account_for(workspace, create=True)
    customer = subscription.get("customer")
    if account.stripe_customer_id is None and event["type"] in CHECKOUT_EVENTS:
        account.stripe_customer_id = customer
    if not customer or customer != account.stripe_customer_id:
        # Metadata names this workspace but the customer is not the one we created for it.
        log.warning("event %s: customer %s is not workspace %s's", event["id"], customer, workspace_id)
        return "ignored_customer_mismatch"
    return apply_subscription(account, subscription, seen_at=event.get("created"))


def _record(event: dict, outcome: str) -> str:
    db.session.add(BillingEvent(id=event["id"], type=event["type"], created=int(event.get("created") or 0),
                                outcome=outcome))
    try:
        db.session.commit()
    except IntegrityError:
        # The same event delivered twice at once: the other delivery recorded it first.
        db.session.rollback()
        return "duplicate"
    log.info("stripe event %s %s: %s", event["id"], event["type"], outcome)
    return outcome


def handle_event(event: dict) -> str:
    """Apply one verified event once; returns the outcome recorded for it ("duplicate" for a replay).

    Commits. Stripe API errors propagate (nothing is recorded), so Stripe delivers again later."""
    if db.session.scalar(select(BillingEvent.id).where(BillingEvent.id == event["id"])):
        return "duplicate"
    if event["type"] not in HANDLED:
        return _record(event, "ignored_type")
    subscription_id, named_workspace = _subscription_of(event)
    if not subscription_id:
        return _record(event, "ignored_no_subscription")
    try:
        subscription = stripe_api.retrieve_subscription(subscription_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
        return _record(event, "ignored_missing_subscription")
    workspace_id = _workspace_of(subscription) or named_workspace
    if named_workspace is not None and workspace_id != named_workspace:
        return _record(event, "ignored_workspace_mismatch")
    if workspace_id is None:
        return _record(event, "ignored_unknown_workspace")
    with tenant_context(workspace_id):
        outcome = _apply(event, subscription, workspace_id)
        return _record(event, outcome)
