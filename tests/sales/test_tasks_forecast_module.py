"""Task reminders, the forecast and targets, plotly.js from the package, and the module turned off."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from saas.extensions import db
from saas.modules.apps import testing
from saas.modules.sales import forecast, tasks
from saas.modules.sales.models import Deal
from saas.tenants.context import tenant_context
from tests.conftest import login
from tests.sales import helpers


def test_a_due_task_mails_its_owner_once(two_workspaces):
    a, b = two_workspaces
    with tenant_context(a.id):
        deal = helpers.deal("Annual renewal", owner=a.owner.id, commit=False)
        tasks.add_task(deal, "Send the renewal quote", date.today().isoformat(), a.owner.id, a.owner.id)
        tasks.add_task(deal, "Later", (date.today() + timedelta(days=5)).isoformat(), a.owner.id, a.owner.id)
        db.session.commit()
    a_email, a_id, b_id = a.owner.email, a.id, b.id
    for _run in range(2):              # idempotent: the second run finds nothing new
        testing.run_scheduled_jobs()
        _work_off_jobs()
    from saas.tenants.models import Workspace

    mails = testing.outbox(db.session.get(Workspace, a_id))
    assert [m["to"] for m in mails] == [a_email]
    assert "Send the renewal quote" in mails[0]["subject"] and "Annual renewal" in mails[0]["body"]
    assert testing.outbox(db.session.get(Workspace, b_id)) == []


def _work_off_jobs() -> None:
    # With Redis the per-workspace jobs wait in rq; without it they ran inline already.
    from rq import SimpleWorker

    from saas.jobs import QUEUES, redis_connection

    connection = redis_connection()
    if connection is not None:
        SimpleWorker(list(QUEUES), connection=connection).work(burst=True)


def test_forecast_weights_open_deals_and_compares_won_with_target(two_workspaces):
    a, _b = two_workspaces
    first = forecast.month_start(date.today())
    next_month = forecast.add_months(first, 1)
    with tenant_context(a.id):
        helpers.deal("A", amount="1000", stage="Proposal", expected_close_on=next_month.isoformat(), owner=a.owner.id)
        helpers.deal("B", amount="2000", stage="Qualification", expected_close_on=next_month.isoformat())
        helpers.deal("C", amount="500", stage="Won")
        helpers.deal("D", amount="700", stage="Proposal", currency="USD", expected_close_on=next_month.isoformat())
        forecast.set_targets("CNY", {first: "800"})
        db.session.commit()
        result = forecast.forecast("CNY", first)
    assert result.weighted_by_month[next_month] == Decimal("700.00")       # 1000 × 50% + 2000 × 10%
    assert result.unweighted_by_month[next_month] == Decimal("3000.00")
    assert result.won_by_month[first] == Decimal("500.00")
    assert result.target_by_month[first] == Decimal("800.00")
    assert result.by_owner[0] == ("Owner", Decimal("500.00"), Decimal("1000.00"))


def test_forecast_page_with_charts_and_target_errors(client, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        helpers.deal("A", amount="1000", stage="Proposal", expected_close_on=date.today().isoformat())
    login(client, a.owner.email)
    page = client.get(f"/w/{a.slug}/sales/forecast").get_data(as_text=True)
    assert "/assets/plotly.min.js" in page and "Plotly.newPlot" in page and 'data-testid="forecast-months"' in page
    assert "cdn" not in page.lower()
    key = f"target-{forecast.month_start(date.today()):%Y-%m}"
    response = client.post(f"/w/{a.slug}/sales/forecast/targets", data={"currency": "CNY", key: "-5"})
    assert response.status_code == 422 and "0 or more" in response.get_data(as_text=True)
    response = client.post(f"/w/{a.slug}/sales/forecast/targets", data={"currency": "CNY", key: "12,000"})
    assert response.status_code == 302
    with tenant_context(a.id):
        assert forecast.forecast("CNY", date.today()).target_by_month[forecast.month_start(date.today())] == 12000


def test_plotly_js_comes_from_the_installed_package(client):
    import plotly

    response = client.get(f"/assets/plotly.min.js?v={plotly.__version__}")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert b"plotly" in response.data[:2000].lower()


def test_turned_off_the_module_vanishes_and_its_data_stays(client, two_workspaces):
    a, b = two_workspaces
    with tenant_context(a.id):
        deal_id = helpers.deal("Kept").id
    testing.disable(a.workspace, "sales")
    login(client, a.owner.email)
    home = client.get(f"/w/{a.slug}/", follow_redirects=True).get_data(as_text=True)
    assert "/sales/forecast" not in home
    for url in (f"/w/{a.slug}/sales/board", f"/w/{a.slug}/sales/deals/{deal_id}", f"/w/{a.slug}/deals/",
                f"/w/{a.slug}/sales/forecast", f"/w/{a.slug}/settings/pipelines/"):
        assert client.get(url).status_code == 404, url
    # Workspace B still has it.
    login(client, b.owner.email)
    assert client.get(f"/w/{b.slug}/sales/forecast").status_code == 200
    assert "/sales/forecast" in client.get(f"/w/{b.slug}/", follow_redirects=True).get_data(as_text=True)
    testing.enable(a.workspace, "sales")
    login(client, a.owner.email)
    assert client.get(f"/w/{a.slug}/sales/deals/{deal_id}").status_code == 200
    with tenant_context(a.id):
        assert db.session.get(Deal, deal_id).name == "Kept"


def test_deals_pipelines_and_stages_are_in_the_api_while_the_module_is_on(client, two_workspaces):
    from saas.tenants import api_tokens

    a, _b = two_workspaces
    with tenant_context(a.id):
        helpers.deal("API deal", amount="42")
    _row, token = api_tokens.create_token(a.id, "tests", ["deals:read", "pipelines:read", "stages:read"], a.owner.id)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/deals", headers=headers).get_json()
    assert [d["name"] for d in body["data"]] == ["API deal"]
    assert client.get("/api/v1/pipelines", headers=headers).status_code == 200
    assert len(client.get("/api/v1/stages", headers=headers).get_json()["data"]) == 6
    testing.disable(a.workspace, "sales")
    assert client.get("/api/v1/deals", headers=headers).status_code == 404
