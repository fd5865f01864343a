"""RFM scores and segments on a small example worked out by hand."""
from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import select

from saas.extensions import db
from saas.modules.analytics import rfm
from saas.modules.analytics.predictions import CustomerValueRun, compute
from saas.modules.core.models import Contact
from saas.tenants.context import tenant_context
from tests.analytics.value.helpers import customer

TODAY = date(2026, 6, 30)


def _five_customers():
    # Last order, orders, total:  A 06-29, 4, 600 · B 06-20, 1, 50 · C 03-01, 4, 4000 ·
    # D 2025-07-01, 1, 20 (its cancelled order of yesterday does not count) · E 05-15, 2, 170.
    a = customer("A", [("2026-05-01", "300"), ("2026-06-01", "200"), ("2026-06-29", "60"), ("2026-06-29", "40")])
    b = customer("B", [("2026-06-20", "50")])
    c = customer("C", [("2025-12-01", "1000"), ("2026-01-01", "1000"), ("2026-02-01", "1000"), ("2026-03-01", "1000")])
    d = customer("D", [("2025-07-01", "20"), ("2026-06-29", "999", "cancelled")])
    e = customer("E", [("2026-04-15", "90"), ("2026-05-15", "80")])
    customer("Later", [("2026-07-02", "70")])            # after "today": not seen yet
    customer("Prospect", [])                               # no orders: no scores
    return a.id, b.id, c.id, d.id, e.id


def test_scores_and_segments_by_hand(two_workspaces):
    a_ws, b_ws = two_workspaces
    with tenant_context(b_ws.id):
        customer("Other workspace", [("2026-06-30", "100000")] * 3)
        db.session.commit()
    with tenant_context(a_ws.id):
        a, b, c, d, e = _five_customers()
        db.session.commit()
        figures = rfm.customer_figures(TODAY)
    by_id = {int(i): k for k, i in enumerate(figures.contact_id)}
    assert set(by_id) == {a, b, c, d, e}

    def row(contact_id):
        k = by_id[contact_id]
        return (int(figures.r_score[k]), int(figures.f_score[k]), int(figures.m_score[k]), figures.segments[k])

    # R by last order: D < C < E < B < A. F by orders, ties by id: B(1) < D(1) < E(2) < A(4) < C(4).
    # M by total: D 20 < B 50 < E 170 < A 600 < C 4000. Segment from R and FM = round((F + M) / 2).
    assert row(a) == (5, 4, 4, "champions")
    assert row(b) == (4, 1, 2, "potential_loyalist")
    assert row(c) == (2, 5, 5, "at_risk")
    assert row(d) == (1, 2, 1, "lost")
    assert row(e) == (3, 3, 3, "loyal")

    # The BTYD inputs: purchase days, not orders; T counts today.
    k = by_id[a]
    assert figures.frequency[k] == 2                      # three purchase days
    assert figures.recency[k] == (date(2026, 6, 29) - date(2026, 5, 1)).days
    assert figures.age[k] == (TODAY - date(2026, 5, 1)).days + 1
    assert figures.monetary_value[k] == (200 + 100) / 2   # the repeat days' mean, first day left out
    assert figures.orders[k] == 4 and figures.total[k] == 600
    assert figures.monetary_value[by_id[b]] == 0


def test_the_job_writes_segments_and_scores_on_the_contacts(two_workspaces):
    a_ws, b_ws = two_workspaces
    with tenant_context(a_ws.id):
        _five_customers()
        run = CustomerValueRun(status="running")
        db.session.add(run)
        db.session.commit()
        compute(run, TODAY)
        db.session.commit()
        db.session.expire_all()
        custom = {x.name: x.custom for x in db.session.query(Contact)}
        assert custom["A"]["rfm_segment"] == "champions" and custom["A"]["rfm_score"] == "544"
        assert custom["C"]["rfm_segment"] == "at_risk" and custom["D"]["rfm_score"] == "121"
        assert "rfm_segment" not in custom["Prospect"]
        # Too few customers for the models: segments yes, predictions no, and the run says why.
        assert run.status == "not_enough_data" and "Not enough data yet" in run.message
        assert "p_alive" not in custom["A"]
        summary = run.segments
        assert summary["champions"]["customers"] == 1 and summary["champions"]["revenue"] == 600
        assert summary["new"]["customers"] == 0
    with tenant_context(b_ws.id):
        assert db.session.scalars(select(CustomerValueRun)).all() == []


def test_segment_grid_covers_every_score():
    segments = {rfm.segment_of(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert segments == set(rfm.SEGMENTS)
    r, f, m = np.array([5, 1, 1]), np.array([5, 1, 5]), np.array([5, 1, 5])
    assert list(rfm.segments_of(r, f, m)) == ["champions", "lost", "cant_lose"]
