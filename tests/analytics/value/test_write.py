"""The bulk write of the customer values: one statement per step on every database, the values as
JSON numbers and strings, missing ones left out, old ones removed, other keys untouched."""
from __future__ import annotations

import numpy as np
from sqlalchemy import event

from saas.extensions import db
from saas.modules.analytics.predictions import VALUE_KEYS, write_values
from saas.modules.core.models import Contact
from saas.tenants.context import tenant_context
from tests.analytics.value.helpers import customer


def test_values_are_replaced_in_bulk(two_workspaces):
    a, b = two_workspaces
    with tenant_context(b.id):
        other = customer("B's", [])
        other.custom = {"p_alive": 0.9}
        db.session.commit()
        other_id = other.id
    with tenant_context(a.id):
        ann, bo, cy = customer("Ann", []), customer("Bo", []), customer("Cy", [])
        ann.custom = {"tier": "gold", "p_alive": 0.1, "rfm_score": "111"}
        cy.custom = {"tier": "silver", "p_alive": 0.7, "predicted_clv": 3.0, "rfm_score": "555"}
        db.session.commit()
        keys = [k for k in VALUE_KEYS if k != "rfm_score"]       # as if an admin's field took rfm_score
        values = {"rfm_segment": ["loyal", "new"], "p_alive": [0.4321, None], "predicted_clv": [1234.56, 7.0],
                  "expected_purchases_30": [2.0, 0.125]}
        statements = []

        def note(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert write_values(np.array([ann.id, bo.id]), values, keys) == 2
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        db.session.commit()
        db.session.expire_all()
        got = {c.name: c.custom for c in db.session.query(Contact)}
    assert got["Ann"] == {"tier": "gold", "rfm_score": "111", "rfm_segment": "loyal", "p_alive": 0.4321,
                          "predicted_clv": 1234.56, "expected_purchases_30": 2}
    assert isinstance(got["Ann"]["p_alive"], float) and isinstance(got["Ann"]["rfm_segment"], str)
    assert got["Bo"] == {"rfm_segment": "new", "predicted_clv": 7, "expected_purchases_30": 0.125}
    assert got["Cy"] == {"tier": "silver", "rfm_score": "555"}          # no orders any more: its values go
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE")]) <= 2
    with tenant_context(b.id):
        db.session.expire_all()
        assert db.session.get(Contact, other_id).custom == {"p_alive": 0.9}
