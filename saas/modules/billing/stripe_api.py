"""Everything Orchard asks of Stripe, through one StripeClient built from the app's settings.

Stripe objects are turned into plain dicts (`to_dict()`) as soon as they arrive, so the rest of
the module reads them the same way whether they come from an API call or a webhook payload.
"""
from __future__ import annotations

import stripe
from flask import current_app

from saas.modules.billing.plans import PRICE_PREFIX, Plan, paid_prices, price_id

CLIENT_KEY = "billing.stripe_client"


def client() -> stripe.StripeClient:
    """The StripeClient for STRIPE_API_KEY (and STRIPE_API_BASE, e.g. a local fake in tests)."""
    key = current_app.config["STRIPE_API_KEY"]
    base = current_app.config.get("STRIPE_API_BASE")
    cached = current_app.extensions.get(CLIENT_KEY)
    if cached is None or cached[0] != (key, base):
        options = {"base_addresses": {"api": base}} if base else {}
        cached = ((key, base), stripe.StripeClient(key, max_network_retries=2, **options))
        current_app.extensions[CLIENT_KEY] = cached
    return cached[1]


def create_customer(workspace_id: int, name: str, email: str) -> str:
    """A Stripe customer for the workspace; its metadata names the workspace for support staff."""
    customer = client().v1.customers.create(params={
        "name": name, "email": email, "metadata": {"workspace_id": str(workspace_id)},
    })
    return customer.id


def create_checkout_session(*, customer_id: str, workspace_id: int, plan: Plan, interval: str, currency: str,
                            trial_days: int, success_url: str, cancel_url: str, locale: str) -> str:
    """A Stripe Checkout session for a new subscription; returns the URL to send the browser to."""
    subscription_data: dict = {"metadata": {"workspace_id": str(workspace_id), "plan": plan.slug}}
    if trial_days:
        subscription_data["trial_period_days"] = trial_days
    session = client().v1.checkout.sessions.create(params={
        "mode": "subscription",
        "customer": customer_id,
        "client_reference_id": str(workspace_id),
        "line_items": [{"price": price_id(plan, interval, currency), "quantity": 1}],
        "subscription_data": subscription_data,
        "metadata": {"workspace_id": str(workspace_id), "plan": plan.slug},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": locale,
    })
    return session.url


def create_portal_session(*, customer_id: str, return_url: str, locale: str) -> str:
    """A Billing Portal session (payment methods, invoices); returns its URL."""
    session = client().v1.billing_portal.sessions.create(params={
        "customer": customer_id, "return_url": return_url, "locale": locale,
    })
    return session.url


def retrieve_subscription(subscription_id: str) -> dict:
    """The subscription as Stripe holds it now."""
    return client().v1.subscriptions.retrieve(subscription_id).to_dict()


def retrieve_customer(customer_id: str) -> dict:
    """The customer as Stripe holds it now."""
    return client().v1.customers.retrieve(customer_id).to_dict()


def change_subscription_price(subscription: dict, plan: Plan, interval: str, currency: str) -> dict:
    """Move a live subscription to another plan or interval (Stripe prorates); returns its new state."""
    item = subscription["items"]["data"][0]
    # `plan` rather than `price`: our prices are created as plans, which Stripe accepts in both
    # places, and the local fake used in tests only reads `plan`.
    return client().v1.subscriptions.update(subscription["id"], params={
        "items": [{"id": item["id"], "plan": price_id(plan, interval, currency)}],
        "cancel_at_period_end": False,
    }).to_dict()


def set_cancel_at_period_end(subscription_id: str, cancel: bool) -> dict:
    """Cancel at the end of the paid period (or take that back); returns the subscription."""
    return client().v1.subscriptions.update(
        subscription_id, params={"cancel_at_period_end": cancel}).to_dict()


def sync_prices() -> list[tuple[str, str]]:
    """Create in Stripe each product and price of the plans configuration that is missing.

    Returns [(id, "created" | "exists")]; running it again changes nothing."""
    stripe_client = client()
    done: list[tuple[str, str]] = []

    def ensure(service, identifier: str, params: dict) -> None:
        try:
            service.retrieve(identifier)
            done.append((identifier, "exists"))
            return
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise
        service.create(params={"id": identifier, **params})
        done.append((identifier, "created"))

    for plan, interval, currency in paid_prices():
        product = f"{PRICE_PREFIX}-{plan.slug}"
        if (product, "created") not in done and (product, "exists") not in done:
            ensure(stripe_client.v1.products, product, {"name": f"Orchard {plan.slug.title()}",
                                                        "metadata": {"plan": plan.slug}})
        ensure(stripe_client.v1.plans, price_id(plan, interval, currency), {
            "amount": plan.price(interval, currency), "currency": currency, "interval": interval,
            "product": product, "metadata": {"plan": plan.slug},
        })
    return done
