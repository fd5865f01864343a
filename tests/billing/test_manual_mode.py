"""Manual mode (no STRIPE_API_KEY): the operator sets plans from the command line; the page says so;
the operator's report lists workspaces, plans, statuses and MRR."""
from saas.extensions import db
from saas.modules.billing.accounts import account_for
from saas.tenants.context import tenant_context
from tests import factories


def test_page_says_billing_is_managed_by_the_operator(client, two_workspaces, login_as):
    a, _b = two_workspaces
    login_as(client, a.owner.email)
    page = client.get(f"/w/{a.slug}/settings/billing/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="manual-billing"' in html
    assert "managed by the operator" in html
    assert 'data-testid="choose-pro"' not in html, "no Stripe buttons in manual mode"
    assert 'data-testid="usage-seats"' in html and "1 of 3" in html


def test_only_owners_and_admins_see_billing(client, two_workspaces, login_as):
    a, b = two_workspaces
    factories.member(a, "admin@alpha.example", role="admin")
    factories.member(a, "member@alpha.example", role="member")
    login_as(client, "member@alpha.example")
    assert client.get(f"/w/{a.slug}/settings/billing/").status_code == 403
    assert f"/w/{a.slug}/settings/billing/" not in client.get(f"/w/{a.slug}/").get_data(as_text=True)
    login_as(client, "admin@alpha.example")
    assert client.get(f"/w/{a.slug}/settings/billing/").status_code == 200
    assert f"/w/{a.slug}/settings/billing/" in client.get(f"/w/{a.slug}/").get_data(as_text=True)
    # Another workspace's billing page does not exist for this user.
    assert client.get(f"/w/{b.slug}/settings/billing/").status_code == 404


def test_stripe_actions_are_refused_in_manual_mode(client, two_workspaces, login_as):
    a, _b = two_workspaces
    login_as(client, a.owner.email)
    response = client.post(f"/w/{a.slug}/settings/billing/checkout",
                           data={"plan": "pro", "interval": "month", "currency": "usd"}, follow_redirects=True)
    assert "managed by the operator" in response.get_data(as_text=True)
    assert a.workspace.plan == "free"


def test_set_plan_command(runner, two_workspaces):
    a, _b = two_workspaces
    result = runner.invoke(args=["billing", "set-plan", a.slug, "pro", "--interval", "year", "--currency", "cny"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert a.workspace.plan == "pro"
    with tenant_context(a.id):
        account = account_for(a.workspace)
        assert (account.status, account.interval, account.currency) == ("manual", "year", "cny")

    assert runner.invoke(args=["billing", "set-plan", "nobody", "pro"]).exit_code != 0
    bad = runner.invoke(args=["billing", "set-plan", a.slug, "gold"])
    assert bad.exit_code != 0 and "Unknown plan gold" in bad.output
    assert runner.invoke(args=["billing", "set-plan", a.slug, "free"]).exit_code == 0
    db.session.expire_all()
    assert a.workspace.plan == "free"


def test_report_lists_plan_status_and_mrr(runner, two_workspaces):
    a, b = two_workspaces
    factories.workspace_with_owner("Gamma Tea", "owner@gamma.example")
    assert runner.invoke(args=["billing", "set-plan", a.slug, "pro"]).exit_code == 0
    assert runner.invoke(args=["billing", "set-plan", b.slug, "starter", "--interval", "year"]).exit_code == 0
    result = runner.invoke(args=["billing", "report"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()[1:-1]}
    assert lines[a.slug][1:3] == ["pro", "manual"] and lines[a.slug][-1] == "$99"
    # Starter yearly: $290 a year is $24.17 a month.
    assert lines[b.slug][1:3] == ["starter", "manual"] and lines[b.slug][-1] == "$24.17"
    assert lines["gamma-tea"][1:3] == ["free", "none"] and lines["gamma-tea"][-1] == "0"
    assert result.output.splitlines()[-1] == "3 workspaces; MRR: $123.17"


def test_the_demo_company_is_on_pro(app, two_workspaces):
    import random

    from saas.plugins import hooks

    a, _b = two_workspaces
    hooks(workspace=a.workspace, plugin="billing").demo_data(rng=random.Random(1))
    db.session.commit()
    assert a.workspace.plan == "pro"
    with tenant_context(a.id):
        assert account_for(a.workspace).status == "manual"
