"""The Stripe webhook endpoint: signatures, each event handled once, order that cannot roll back."""
import json
import time

from saas.extensions import db
from saas.modules.billing.accounts import account_for
from saas.modules.billing.models import BillingEvent
from saas.tenants.context import tenant_context
from tests.billing.conftest import WEBHOOK_SECRET, WEBHOOK_URL


def _account(tenant):
    db.session.expire_all()
    with tenant_context(tenant.id):
        return account_for(tenant.workspace)


def _subscribed(fake_stripe, stripe_sessions, client, tenant, login_as, plan="starter"):
    login_as(client, tenant.owner.email)
    client.post(f"/w/{tenant.slug}/settings/billing/checkout", data={"plan": plan, "interval": "month",
                                                                      "currency": "usd"})
    return fake_stripe.complete_checkout(tenant, plan)


def test_signatures(fake_stripe, stripe_sessions, client, two_workspaces, login_as):
    a, _b = two_workspaces
    _subscription, completed = _subscribed(fake_stripe, stripe_sessions, client, a, login_as)
    refused = [
        fake_stripe.deliver(client, completed, secret="whsec_someone_else"),
        fake_stripe.deliver(client, completed, signature="t=1,v1=deadbeef"),
        fake_stripe.deliver(client, completed, signature=""),
        # Signed correctly, but long ago: a captured request replayed later.
        fake_stripe.deliver(client, completed, timestamp=int(time.time()) - 3600),
    ]
    tampered_payload = json.dumps({**completed, "data": {"object": {**completed["data"]["object"],
                                                                    "client_reference_id": "999"}}})
    import stripe

    header = stripe.WebhookSignature.generate_signature_header(json.dumps(completed), WEBHOOK_SECRET)
    refused.append(client.post(WEBHOOK_URL, data=tampered_payload, headers={"Stripe-Signature": header}))
    for response in refused:
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_signature"
    assert _account(a).status == "none" and a.workspace.plan == "free"
    assert db.session.query(BillingEvent).count() == 0

    accepted = fake_stripe.deliver(client, completed)
    assert accepted.status_code == 200 and accepted.get_json()["outcome"] == "status_active"
    assert a.workspace.plan == "starter"


def test_no_csrf_token_is_needed_but_the_secret_is(app, fake_stripe, stripe_sessions, two_workspaces, login_as):
    a, _b = two_workspaces
    _subscription, completed = _subscribed(fake_stripe, stripe_sessions, app.test_client(), a, login_as)
    app.config["WTF_CSRF_ENABLED"] = True  # as in production
    client = app.test_client()
    assert fake_stripe.deliver(client, completed).status_code == 200
    app.config["STRIPE_WEBHOOK_SECRET"] = None
    answer = fake_stripe.deliver(client, fake_stripe.event("invoice.paid", {}))
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_configured"


def test_a_replayed_event_changes_nothing_twice(fake_stripe, stripe_sessions, client, two_workspaces, login_as):
    a, _b = two_workspaces
    subscription, completed = _subscribed(fake_stripe, stripe_sessions, client, a, login_as)
    fake_stripe.deliver(client, completed)
    [created] = fake_stripe.emitted("customer.subscription.created", subscription["id"])
    assert fake_stripe.deliver(client, created).get_json()["outcome"] == "status_active"
    fake_stripe.client.v1.subscriptions.cancel(subscription["id"])
    [deleted] = fake_stripe.emitted("customer.subscription.deleted", subscription["id"])
    assert fake_stripe.deliver(client, deleted).get_json()["outcome"] == "status_canceled"
    canceled_at = _account(a).canceled_at

    # The operator puts the workspace back on a plan by hand; then Stripe retries old deliveries.
    with tenant_context(a.id):
        from saas.modules.billing.accounts import set_plan

        set_plan(a.workspace, "pro")
        db.session.commit()
    for event in (deleted, created, completed):
        again = fake_stripe.deliver(client, event)
        assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    account = _account(a)
    assert (a.workspace.plan, account.status, account.canceled_at) == ("pro", "manual", canceled_at)
    assert db.session.query(BillingEvent).filter_by(id=deleted["id"]).count() == 1


def test_out_of_order_events_cannot_roll_the_state_back(fake_stripe, stripe_sessions, client, two_workspaces,
                                                        login_as):
    a, _b = two_workspaces
    subscription, completed = _subscribed(fake_stripe, stripe_sessions, client, a, login_as)
    fake_stripe.client.v1.subscriptions.cancel(subscription["id"])
    [created] = fake_stripe.emitted("customer.subscription.created", subscription["id"])
    [deleted] = fake_stripe.emitted("customer.subscription.deleted", subscription["id"])
    [paid] = fake_stripe.emitted("invoice.payment_succeeded", subscription["id"])
    # The deletion arrives first; the older events (whose payloads still say "active") after it.
    assert fake_stripe.deliver(client, deleted).get_json()["outcome"] == "status_canceled"
    for late in (paid, created, completed):
        assert late["data"]["object"].get("status") != "canceled"
        assert fake_stripe.deliver(client, late).status_code == 200
        account = _account(a)
        assert (a.workspace.plan, account.status) == ("free", "canceled")


def test_an_old_subscription_cannot_override_the_live_one(fake_stripe, stripe_sessions, client, two_workspaces,
                                                          login_as):
    a, _b = two_workspaces
    first, completed = _subscribed(fake_stripe, stripe_sessions, client, a, login_as)
    fake_stripe.deliver(client, completed)
    fake_stripe.client.v1.subscriptions.cancel(first["id"])
    [first_deleted] = fake_stripe.emitted("customer.subscription.deleted", first["id"])
    fake_stripe.deliver(client, first_deleted)
    second, completed_again = fake_stripe.complete_checkout(a, "pro")
    assert fake_stripe.deliver(client, completed_again).get_json()["outcome"] == "status_active"
    # A late copy of the first subscription's end (a different event id, same old subscription).
    late = fake_stripe.event("customer.subscription.updated", first_deleted["data"]["object"])
    assert fake_stripe.deliver(client, late).get_json()["outcome"] == "ignored_other_subscription"
    account = _account(a)
    assert (a.workspace.plan, account.status, account.stripe_subscription_id) == ("pro", "active", second["id"])


def test_events_of_other_workspaces_customers_and_kinds(fake_stripe, stripe_sessions, client, two_workspaces,
                                                        login_as):
    a, b = two_workspaces
    subscription, completed = _subscribed(fake_stripe, stripe_sessions, client, a, login_as)
    # A session that names workspace B but carries A's customer and subscription.
    forged = fake_stripe.event("checkout.session.completed",
                               {**completed["data"]["object"], "client_reference_id": str(b.id),
                                "metadata": {"workspace_id": str(b.id)}})
    assert fake_stripe.deliver(client, forged).get_json()["outcome"] == "ignored_workspace_mismatch"
    assert b.workspace.plan == "free" and _account(b).stripe_customer_id is None
    # A subscription Orchard did not create (no metadata, unknown customer).
    stranger = fake_stripe.client.v1.customers.create(params={"email": "x@example.com"})
    fake_stripe.card(stranger.id)
    other = fake_stripe.client.v1.subscriptions.create(params={
        "customer": stranger.id, "items": [{"plan": "orchard-pro-month-usd"}]}).to_dict()
    event = fake_stripe.event("customer.subscription.updated", other)
    assert fake_stripe.deliver(client, event).get_json()["outcome"] == "ignored_unknown_workspace"
    # Metadata naming workspace B on a subscription of a customer that is not B's.
    other_b = fake_stripe.client.v1.subscriptions.create(params={
        "customer": stranger.id, "items": [{"plan": "orchard-pro-month-usd"}],
        "metadata": {"workspace_id": str(b.id)}}).to_dict()
    event = fake_stripe.event("customer.subscription.updated", other_b)
    assert fake_stripe.deliver(client, event).get_json()["outcome"] == "ignored_customer_mismatch"
    assert b.workspace.plan == "free"
    # Kinds Orchard does not follow are acknowledged and recorded.
    [customer_created] = fake_stripe.emitted("customer.created")[:1]
    assert fake_stripe.deliver(client, customer_created).get_json()["outcome"] == "ignored_type"
    missing = fake_stripe.event("customer.subscription.updated", {**subscription, "id": "sub_gone"})
    assert fake_stripe.deliver(client, missing).get_json()["outcome"] == "ignored_missing_subscription"
    assert a.workspace.plan == "free", "A's checkout was never delivered"
