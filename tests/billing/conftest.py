"""Billing fixtures: localstripe (a stateful fake Stripe server) started once per test run on a
free port, the app in Stripe mode against it through the real stripe SDK, and helpers that do
what Stripe's hosted pages and Stripe itself would do (subscribe, sign and deliver events)."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from itertools import count

import pytest
import stripe

from saas.modules.billing import stripe_api
from saas.modules.billing.plans import PLANS, price_id
from saas.modules.billing.accounts import account_for
from saas.tenants.context import tenant_context

WEBHOOK_SECRET = "whsec_orchard_test"
API_KEY = "sk_test_orchard"
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # attaches, then every charge is declined
WEBHOOK_URL = "/billing/stripe/webhook"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    """localstripe in a subprocess for the whole run; its base URL."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _attempt in range(200):
            if process.poll() is not None:
                raise RuntimeError(f"localstripe exited: {process.stderr.read().decode()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("localstripe did not start listening")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class FakeStripe:
    """What Stripe's side does in a test: the customer paying, Stripe sending events."""

    def __init__(self, app, base_url: str):
        self.app = app
        self.base_url = base_url
        self._ids = count(1)

    @property
    def client(self) -> stripe.StripeClient:
        return stripe_api.client()

    def card(self, customer_id: str, number: str = GOOD_CARD) -> str:
        """Attach a card and make it the customer's default, as the Checkout page or Portal would."""
        method = self.client.v1.payment_methods.create(params={
            "type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}})
        self.client.v1.payment_methods.attach(method.id, params={"customer": customer_id})
        self.client.v1.customers.update(customer_id, params={"invoice_settings": {"default_payment_method": method.id}})
        return method.id

    def customer_of(self, tenant) -> str:
        with tenant_context(tenant.id):
            return account_for(tenant.workspace).stripe_customer_id

    def complete_checkout(self, tenant, plan: str, interval: str = "month", currency: str = "usd",
                          card: str = GOOD_CARD, **extra) -> dict:
        """What Checkout does once the customer pays: card, subscription (with Orchard's metadata),
        then the checkout.session.completed event. Returns (subscription, event)."""
        customer = self.customer_of(tenant)
        self.card(customer, card)
        subscription = self.client.v1.subscriptions.create(params={
            "customer": customer, "items": [{"plan": price_id(PLANS[plan], interval, currency)}],
            "metadata": {"workspace_id": str(tenant.id), "plan": plan}, **extra}).to_dict()
        session = {"id": f"cs_test_{next(self._ids)}", "object": "checkout.session", "mode": "subscription",
                   "customer": customer, "subscription": subscription["id"], "client_reference_id": str(tenant.id),
                   "metadata": {"workspace_id": str(tenant.id), "plan": plan}, "status": "complete"}
        return subscription, self.event("checkout.session.completed", session)

    def event(self, kind: str, obj: dict, created: int | None = None) -> dict:
        """A Stripe event envelope (for the events localstripe does not emit itself)."""
        return {"id": f"evt_test_{next(self._ids)}_{int(time.time() * 1000)}", "object": "event", "type": kind,
                "created": created or int(time.time()), "api_version": "2025-01-27.acacia",
                "livemode": False, "data": {"object": obj}}

    def emitted(self, kind: str, subscription_id: str | None = None) -> list[dict]:
        """The events localstripe itself emitted, oldest first, as Stripe would deliver them."""
        events = self.client.v1.events.list(params={"type": kind, "limit": 100}).data
        found = [json.loads(json.dumps(e.to_dict(for_json=True))) for e in events]
        if subscription_id:
            found = [e for e in found if subscription_id in (e["data"]["object"].get("id"),
                                                              e["data"]["object"].get("subscription"))]
        return sorted(found, key=lambda e: e["created"])

    def deliver(self, http, event: dict, secret: str = WEBHOOK_SECRET, signature: str | None = None,
                timestamp: int | None = None):
        """POST the event to the webhook endpoint, signed like Stripe signs it."""
        payload = json.dumps(event)
        if signature is None:
            signature = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
        return http.post(WEBHOOK_URL, data=payload, headers={"Stripe-Signature": signature,
                                                             "Content-Type": "application/json"})


@pytest.fixture
def fake_stripe(app, localstripe_url):
    """The app in Stripe mode against a cleared localstripe that has Orchard's prices."""
    request = urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE")
    urllib.request.urlopen(request, timeout=10).close()
    app.config.update(STRIPE_API_KEY=API_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=localstripe_url)
    stripe_api.sync_prices()
    return FakeStripe(app, localstripe_url)


class CheckoutRecorder:
    """Stands in for the two Stripe calls localstripe does not have (Checkout and Portal sessions):
    records what the app sends and answers like Stripe, with a URL to redirect to."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def patch(self, monkeypatch) -> "CheckoutRecorder":
        from types import SimpleNamespace

        def checkout(service, params=None, options=None):
            self.calls.append(("checkout", params))
            return SimpleNamespace(id="cs_test_recorded", url="https://checkout.stripe.com/c/pay/cs_test_recorded")

        def portal(service, params=None, options=None):
            self.calls.append(("portal", params))
            return SimpleNamespace(id="bps_test_recorded", url="https://billing.stripe.com/p/session/test_recorded")

        monkeypatch.setattr(stripe.checkout.SessionService, "create", checkout)
        monkeypatch.setattr(stripe.billing_portal.SessionService, "create", portal)
        return self


@pytest.fixture
def stripe_sessions(monkeypatch):
    return CheckoutRecorder().patch(monkeypatch)
