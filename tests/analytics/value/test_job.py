"""The customer value job end to end: started from the page (rq with Redis, inline without), its
values on the contacts, lists filtering on them, the last good fit kept, not enough data, the
nightly schedule, lifecycle conditions, permissions, and the other workspace untouched."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.metadata.query import Filter, build_query, page
from saas.modules.analytics import clv, predictions, rfm, value_conditions
from saas.modules.analytics.predictions import CustomerValueRun
from saas.modules.apps import testing
from saas.modules.core.models import Contact
from saas.tenants.context import tenant_context
from tests.analytics.value.helpers import customer, work_off_jobs
from tests.analytics.value.simulate import add_simulated_orders
from tests.conftest import login
from tests import factories


def _fill(tenant, n: int = 150, seed: int = 7) -> None:
    with tenant_context(tenant.id):
        add_simulated_orders(n, np.random.default_rng(seed), date.today())
        db.session.commit()


def _run_from_the_page(client, tenant) -> None:
    response = client.post(f"/w/{tenant.slug}/customer-value/runs")
    assert response.status_code == 302
    work_off_jobs()


def _latest(tenant) -> CustomerValueRun:
    with tenant_context(tenant.id):
        db.session.expire_all()
        run = predictions.latest_run()
        if run is not None:
            db.session.expunge(run)          # read outside the tenant context afterwards
        return run


def test_the_job_writes_predictions_and_lists_filter_on_them(client, two_workspaces):
    a, b = two_workspaces
    _fill(a)
    with tenant_context(b.id):
        untouched = customer("B's customer", [("2026-01-01", "10"), ("2026-02-01", "20")]).id
        db.session.commit()
    login(client, a.owner.email)
    _run_from_the_page(client, a)

    run = _latest(a)
    assert run.status == "done", run.message
    assert run.customers == 150 and run.repeat_customers >= predictions.MIN_REPEAT_CUSTOMERS
    with tenant_context(a.id):
        figures = rfm.customer_figures(run.as_of)
        bg = clv.BgNbdParams(**run.bgnbd)
        gg = clv.GammaGammaParams(**run.gamma_gamma)
        alive = clv.probability_alive(bg, figures.frequency, figures.recency, figures.age)
        expected = {t: clv.expected_purchases(bg, t, figures.frequency, figures.recency, figures.age)
                    for t in (30, 90, 365)}
        value = clv.expected_order_value(gg, figures.frequency, figures.monetary_value)
        lifetime = clv.customer_lifetime_value(bg, gg, 365, figures.frequency, figures.recency, figures.age,
                                               figures.monetary_value)
        db.session.expire_all()
        stored = {c.id: c.custom for c in db.session.scalars(select(Contact))}
        for k, contact_id in enumerate(figures.contact_id.tolist()):
            doc = stored[contact_id]
            assert doc["p_alive"] == pytest.approx(alive[k], abs=1e-4)
            for t in (30, 90, 365):
                assert doc[f"expected_purchases_{t}"] == pytest.approx(expected[t][k], abs=1e-3)
            assert doc["expected_order_value"] == pytest.approx(value[k], abs=0.01)
            assert doc["predicted_clv"] == pytest.approx(lifetime[k], abs=0.01)
            assert doc["rfm_segment"] == figures.segments[k]
            assert doc["rfm_score"] == f"{figures.r_score[k]}{figures.f_score[k]}{figures.m_score[k]}"

        # The query builder filters and sorts on them like on any field.
        below = {int(i) for i, p in zip(figures.contact_id, alive) if round(float(p), 4) < 0.5}
        assert below and len(below) < 150
        q = build_query("contact", [Filter("p_alive", "lt", "0.5")], sort="-predicted_clv",
                        fields=["name", "p_alive", "predicted_clv"])
        rows = page(q, limit=500).rows
        assert {r["id"] for r in rows} == below
        clvs = [r["predicted_clv"] for r in rows]
        assert clvs == sorted(clvs, reverse=True)
        segment_q = build_query("contact", [Filter("rfm_segment", "eq", "champions")])
        champions = {r["id"] for r in page(segment_q, limit=500).rows}
        assert champions == {cid for cid, doc in stored.items() if doc.get("rfm_segment") == "champions"}
        a_name = db.session.get(Contact, max(below)).name      # the list shows the newest first

    # The list page, filtered on p_alive, and the segment page.
    listing = client.get(f"/w/{a.slug}/contacts/?ff=p_alive&fo=lt&fv=0.5&columns=name&columns=p_alive")
    assert listing.status_code == 200 and a_name in listing.get_data(as_text=True)
    page_html = client.get(f"/w/{a.slug}/customer-value/").get_data(as_text=True)
    assert "Up to date" in page_html and 'data-testid="rfm-segments"' in page_html
    assert "plotly" in page_html.lower()

    # The fields are read-only: the API and forms cannot write them.
    with tenant_context(a.id):
        from saas.metadata.definitions import field_map
        from saas.metadata.schemas import schema_for

        fields = field_map("contact")
        assert all(fields[k].is_system and not fields[k].editable for k in predictions.VALUE_KEYS)
        assert "p_alive" not in schema_for("contact").fields

    with tenant_context(b.id):
        db.session.expire_all()
        assert db.session.get(Contact, untouched).custom == {}
        assert predictions.latest_run() is None


def test_a_fit_that_does_not_converge_keeps_the_last_good_one(client, two_workspaces, monkeypatch):
    a, _b = two_workspaces
    _fill(a)
    login(client, a.owner.email)
    _run_from_the_page(client, a)
    first = _latest(a)
    assert first.status == "done"

    def not_converging(frequency, recency, T, start=None):
        return clv.BgNbdParams(1.0, 1.0, 1.0, 1.0, float("nan"), False, "ABNORMAL_TERMINATION_IN_LNSRCH")

    monkeypatch.setattr(clv, "fit_bgnbd", not_converging)
    _run_from_the_page(client, a)
    second = _latest(a)
    assert second.id != first.id
    assert second.status == "not_converged" and second.fit_from_run_id == first.id
    assert "last good fit" in second.message
    with tenant_context(a.id):
        assert all("p_alive" in c.custom for c in db.session.scalars(select(Contact)))
    page_html = client.get(f"/w/{a.slug}/customer-value/").get_data(as_text=True)
    assert "Kept the last good fit" in page_html and "did not converge" in page_html


def test_too_little_history_says_not_enough_data(client, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        customer("Ann", [("2026-01-05", "100"), ("2026-03-05", "120")])
        customer("Bo", [("2026-02-05", "80")])
        db.session.commit()
    login(client, a.owner.email)
    before = client.get(f"/w/{a.slug}/customer-value/").get_data(as_text=True)
    assert "Never computed" in before and "Not enough data yet" in before
    _run_from_the_page(client, a)
    run = _latest(a)
    assert run.status == "not_enough_data" and run.customers == 2 and run.repeat_customers == 1
    html = client.get(f"/w/{a.slug}/customer-value/").get_data(as_text=True)
    assert "Not enough data yet" in html
    with tenant_context(a.id):
        docs = [c.custom for c in db.session.scalars(select(Contact))]
        assert all("rfm_segment" in d and "p_alive" not in d for d in docs)


def test_progress_fragment_and_permissions(client, two_workspaces):
    a, _b = two_workspaces
    viewer = factories.member(a, "viewer@alpha.example", role="viewer")
    with tenant_context(a.id):
        run = CustomerValueRun(status="running", progress_done=2)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    login(client, viewer.email)
    assert client.get(f"/w/{a.slug}/customer-value/").status_code == 200
    assert client.post(f"/w/{a.slug}/customer-value/runs").status_code == 403
    fragment = client.get(f"/w/{a.slug}/customer-value/runs/{run_id}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and 'hx-trigger="every 1s"' in body and 'aria-valuenow="40"' in body
    with tenant_context(a.id):
        db.session.get(CustomerValueRun, run_id).status = "done"
        db.session.commit()
    done = client.get(f"/w/{a.slug}/customer-value/runs/{run_id}", headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true" and "every 1s" not in done.get_data(as_text=True)


def test_nightly_schedule_runs_each_workspace(two_workspaces):
    a, b = two_workspaces
    _fill(a, n=60)
    testing.run_scheduled_jobs()
    work_off_jobs()
    assert _latest(a).status == "done"
    assert _latest(b).status == "not_enough_data"


def test_lifecycle_conditions_on_segment_and_p_alive(two_workspaces):
    a, _b = two_workspaces
    _fill(a, n=80)
    with tenant_context(a.id):
        run = CustomerValueRun(status="running")
        db.session.add(run)
        db.session.commit()
        predictions.compute(run)
        db.session.commit()
        contacts = Contact.__table__
        types = {c["key"]: c for c in value_conditions.conditions()}
        at_risk = set(db.session.scalars(select(contacts.c.id).where(
            types["p_alive"]["sql"](contacts, {"compare": "below", "probability": 0.3}, date.today()))))
        champions = set(db.session.scalars(select(contacts.c.id).where(
            types["rfm_segment"]["sql"](contacts, {"segment": "champions"}, date.today()))))
        docs = {c.id: c.custom for c in db.session.scalars(select(Contact))}
    assert at_risk == {i for i, d in docs.items() if d.get("p_alive") is not None and d["p_alive"] < 0.3}
    assert champions == {i for i, d in docs.items() if d.get("rfm_segment") == "champions"}
    assert champions
