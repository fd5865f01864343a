"""A failed payment: past due with a banner, a grace period with the plan's limits, then Free
limits (nothing deleted), and the paid plan back once the invoice is paid."""
from datetime import timedelta

from saas.extensions import db
from saas.modules.billing.accounts import account_for, effective_plan
from saas.tenants.context import tenant_context
from tests import factories
from tests.billing.conftest import DECLINED_CARD, GOOD_CARD


def _account(tenant):
    db.session.expire_all()
    with tenant_context(tenant.id):
        return account_for(tenant.workspace)


def _invite(client, tenant, email):
    return client.post(f"/w/{tenant.slug}/settings/members", data={"email": email, "role": "member"})


def test_past_due_grace_then_free_limits_then_paid_again(app, fake_stripe, stripe_sessions, client, two_workspaces,
                                                         login_as, runner):
    app.config["BILLING_GRACE_DAYS"] = 3
    a, b = two_workspaces
    login_as(client, a.owner.email)
    client.post(f"/w/{a.slug}/settings/billing/checkout", data={"plan": "starter", "interval": "month",
                                                                 "currency": "usd"})
    subscription, completed = fake_stripe.complete_checkout(a, "starter")
    fake_stripe.deliver(client, completed)
    for n in range(4):
        factories.member(a, f"rep{n}@alpha.example")  # 5 members: more than Free's 3 seats

    # The card starts failing; switching to yearly billing charges it at once, and is declined.
    customer = _account(a).stripe_customer_id
    fake_stripe.card(customer, DECLINED_CARD)
    client.post(f"/w/{a.slug}/settings/billing/checkout", data={"plan": "starter", "interval": "year",
                                                                 "currency": "usd"})
    assert fake_stripe.client.v1.subscriptions.retrieve(subscription["id"]).status == "past_due"
    [invoice] = [i.to_dict() for i in fake_stripe.client.v1.invoices.list(
        params={"customer": customer, "limit": 10}).data if i.status == "open"]
    failed = fake_stripe.event("invoice.payment_failed", invoice)
    assert fake_stripe.deliver(client, failed).get_json()["outcome"] == "status_past_due"
    account = _account(a)
    assert account.status == "past_due" and account.past_due_since is not None
    since = account.past_due_since

    # Within the grace period: a banner on every page, the plan's limits still apply.
    home = client.get(f"/w/{a.slug}/").get_data(as_text=True)
    assert 'data-testid="billing-banner"' in home and "The last payment failed" in home
    assert _invite(client, a, "sixth@example.com").status_code == 302
    assert fake_stripe.deliver(client, failed).get_json()["outcome"] == "duplicate"
    assert _account(a).past_due_since == since, "a replay does not restart the grace period"
    # Workspace B's pages know nothing of it.
    login_as(client, b.owner.email)
    assert 'data-testid="billing-banner"' not in client.get(f"/w/{b.slug}/").get_data(as_text=True)
    login_as(client, a.owner.email)

    # Three days later the grace period is over: Free limits, nothing deleted.
    with tenant_context(a.id):
        account_for(a.workspace).past_due_since = since - timedelta(days=3, minutes=1)
        db.session.commit()
        assert effective_plan(a.workspace).slug == "free"
    home = client.get(f"/w/{a.slug}/").get_data(as_text=True)
    assert "grace period is over" in home and "Nothing was deleted" in home
    refused = _invite(client, a, "seventh@example.com")
    assert refused.status_code == 422
    assert "Your plan allows 3 seats" in refused.get_data(as_text=True)
    assert "upgrade-link" in refused.get_data(as_text=True)
    page = client.get(f"/w/{a.slug}/settings/billing/").get_data(as_text=True)
    assert 'data-testid="free-limits"' in page and "6 of 3" in page
    report = runner.invoke(args=["billing", "report"]).output
    row = next(line.split() for line in report.splitlines() if line.startswith(a.slug))
    assert row[1:4] == ["starter", "past_due", "free"] and row[-1] == "0"

    # The customer fixes the card in the Portal and Stripe collects the invoice.
    fake_stripe.card(customer, GOOD_CARD)
    fake_stripe.client.v1.invoices.pay(invoice["id"])
    [paid] = [e for e in fake_stripe.emitted("invoice.payment_succeeded", subscription["id"])
              if e["data"]["object"]["id"] == invoice["id"]]
    assert fake_stripe.deliver(client, paid).get_json()["outcome"] == "status_active"
    account = _account(a)
    assert (account.status, account.past_due_since, account.interval) == ("active", None, "year")
    assert 'data-testid="billing-banner"' not in client.get(f"/w/{a.slug}/").get_data(as_text=True)
    assert _invite(client, a, "seventh@example.com").status_code == 302
