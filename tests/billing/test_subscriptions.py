"""The subscription lifecycle against localstripe through the real stripe SDK.

localstripe has no Checkout Sessions and no Billing Portal: for those two calls the tests check
what the app sends to the SDK (tests/billing/conftest.py CheckoutRecorder), then do what the
customer does on Stripe's page (card, subscription) in localstripe and deliver the event.
Everything else (customers, prices, subscriptions, plan changes, cancelation) is end to end."""
from saas.extensions import db
from saas.modules.billing import limits
from saas.modules.billing.accounts import account_for, effective_plan
from saas.modules.billing.plans import FREE
from saas.tenants.context import tenant_context
from tests import factories


def _account(tenant):
    db.session.expire_all()
    with tenant_context(tenant.id):
        return account_for(tenant.workspace)


def _choose(client, tenant, plan, interval="month", currency="usd"):
    return client.post(f"/w/{tenant.slug}/settings/billing/checkout",
                       data={"plan": plan, "interval": interval, "currency": currency})


def test_sync_prices_is_idempotent(fake_stripe, runner):
    result = runner.invoke(args=["billing", "sync-prices"])
    assert result.exit_code == 0, result.output
    assert "orchard-pro-year-cny: exists" in result.output and "created" not in result.output
    price = fake_stripe.client.v1.plans.retrieve("orchard-starter-month-cny")
    assert (price.amount, price.currency, price.interval) == (19_900, "cny", "month")


def test_checkout_sends_the_plan_price_trial_and_workspace(fake_stripe, stripe_sessions, client, two_workspaces,
                                                            login_as):
    a, _b = two_workspaces
    login_as(client, a.owner.email)
    response = _choose(client, a, "starter", "year", "cny")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_recorded"
    [(kind, params)] = stripe_sessions.calls
    customer = _account(a).stripe_customer_id
    assert kind == "checkout" and customer.startswith("cus_")
    assert params["mode"] == "subscription" and params["customer"] == customer
    assert params["line_items"] == [{"price": "orchard-starter-year-cny", "quantity": 1}]
    assert params["client_reference_id"] == str(a.id)
    assert params["subscription_data"] == {"metadata": {"workspace_id": str(a.id), "plan": "starter"},
                                           "trial_period_days": 14}
    assert params["success_url"] == f"http://localhost/w/{a.slug}/settings/billing/?checkout=done"
    assert params["cancel_url"] == f"http://localhost/w/{a.slug}/settings/billing/"
    # The customer really exists on Stripe's side, named after the workspace.
    created = fake_stripe.client.v1.customers.retrieve(customer)
    assert created.metadata["workspace_id"] == str(a.id) and created.name == "Alpha Trading"
    # Nothing changes until Stripe confirms.
    assert a.workspace.plan == "free" and _account(a).status == "none"


def test_lifecycle_checkout_upgrade_cancel_resume_and_end(fake_stripe, stripe_sessions, client, two_workspaces,
                                                           login_as):
    a, b = two_workspaces
    login_as(client, a.owner.email)
    assert _choose(client, a, "starter").status_code == 303
    subscription, completed = fake_stripe.complete_checkout(a, "starter")
    assert fake_stripe.deliver(client, completed).get_json() == {"received": True, "outcome": "status_active"}
    account = _account(a)
    assert (a.workspace.plan, account.status, account.interval, account.currency) == ("starter", "active", "month",
                                                                                       "usd")
    assert account.stripe_subscription_id == subscription["id"] and account.current_period_end is not None
    page = client.get(f"/w/{a.slug}/settings/billing/").get_data(as_text=True)
    assert "Renews on" in page and 'data-testid="choose-pro"' in page and "Switch to Pro" in page

    # Upgrade: the live subscription moves to Pro on Stripe's side (no second Checkout).
    assert _choose(client, a, "pro").status_code == 302
    assert len(stripe_sessions.calls) == 1
    remote = fake_stripe.client.v1.subscriptions.retrieve(subscription["id"])
    assert remote["items"].data[0].plan.id == "orchard-pro-month-usd"
    assert a.workspace.plan == "pro"
    # The currency of a running subscription stays.
    refused = client.post(f"/w/{a.slug}/settings/billing/checkout",
                          data={"plan": "starter", "interval": "month", "currency": "cny"}, follow_redirects=True)
    assert "billed in USD" in refused.get_data(as_text=True) and a.workspace.plan == "pro"

    # Payment methods and invoices: the Billing Portal for this customer.
    portal = client.post(f"/w/{a.slug}/settings/billing/portal")
    assert portal.status_code == 303 and portal.headers["Location"].startswith("https://billing.stripe.com/")
    assert stripe_sessions.calls[-1] == ("portal", {"customer": _account(a).stripe_customer_id,
                                                    "return_url": f"http://localhost/w/{a.slug}/settings/billing/",
                                                    "locale": "en"})

    # Cancel at the end of the period, then change one's mind.
    client.post(f"/w/{a.slug}/settings/billing/cancel")
    assert fake_stripe.client.v1.subscriptions.retrieve(subscription["id"]).cancel_at_period_end is True
    assert _account(a).cancel_at_period_end
    with tenant_context(a.id):
        assert effective_plan(a.workspace).slug == "pro", "the paid period runs to its end"
    assert 'data-testid="cancel-notice"' in client.get(f"/w/{a.slug}/settings/billing/").get_data(as_text=True)
    client.post(f"/w/{a.slug}/settings/billing/resume")
    assert fake_stripe.client.v1.subscriptions.retrieve(subscription["id"]).cancel_at_period_end is False
    assert not _account(a).cancel_at_period_end

    # The period ends: Stripe deletes the subscription and says so.
    for n in range(4):
        factories.member(a, f"colleague{n}@alpha.example")
    fake_stripe.client.v1.subscriptions.cancel(subscription["id"])
    [deleted] = fake_stripe.emitted("customer.subscription.deleted", subscription["id"])
    assert fake_stripe.deliver(client, deleted).get_json()["outcome"] == "status_canceled"
    account = _account(a)
    assert (a.workspace.plan, account.status) == ("free", "canceled")
    with tenant_context(a.id):
        assert effective_plan(a.workspace) is FREE
        seats = limits.usage(a.workspace)["seats"]
        assert (seats.used, seats.limit, seats.over) == (5, 3, True), "members stay, beyond the Free limit"
    page = client.get(f"/w/{a.slug}/settings/billing/").get_data(as_text=True)
    assert "read-only until you upgrade" in page and "Choose Starter" in page
    # Workspace B never had any of it.
    assert b.workspace.plan == "free" and _account(b).status == "none"


def test_trial_is_offered_once(fake_stripe, stripe_sessions, client, two_workspaces, login_as):
    a, _b = two_workspaces
    login_as(client, a.owner.email)
    _choose(client, a, "pro")
    import time

    subscription, completed = fake_stripe.complete_checkout(a, "pro", trial_end=int(time.time()) + 14 * 86400)
    fake_stripe.deliver(client, completed)
    assert _account(a).trial_used
    fake_stripe.client.v1.subscriptions.cancel(subscription["id"])
    [deleted] = fake_stripe.emitted("customer.subscription.deleted", subscription["id"])
    fake_stripe.deliver(client, deleted)
    assert _choose(client, a, "pro").status_code == 303
    assert "trial_period_days" not in stripe_sessions.calls[-1][1]["subscription_data"]
    assert 'data-testid="usage-seats"' in client.get(f"/w/{a.slug}/settings/billing/").get_data(as_text=True)


def test_a_trialing_subscription_has_its_plan_and_shows_the_days_left(fake_stripe, stripe_sessions, client,
                                                                      two_workspaces, login_as):
    # localstripe leaves trial subscriptions "incomplete" instead of "trialing": this test takes
    # its real subscription and sets the status Stripe would report, through the same sync.
    import time

    from saas.modules.billing.subscriptions import apply_subscription

    a, _b = two_workspaces
    login_as(client, a.owner.email)
    _choose(client, a, "pro")
    trial_end = int(time.time()) + 10 * 86400 + 3600
    subscription, _completed = fake_stripe.complete_checkout(a, "pro", trial_end=trial_end)
    subscription = {**subscription, "status": "trialing"}
    with tenant_context(a.id):
        assert apply_subscription(account_for(a.workspace), subscription) == "status_trialing"
        db.session.commit()
        assert effective_plan(a.workspace).slug == "pro"
    page = client.get(f"/w/{a.slug}/settings/billing/").get_data(as_text=True)
    assert "10 days left" in page
    assert "14-day free trial" not in page, "the trial is used"
