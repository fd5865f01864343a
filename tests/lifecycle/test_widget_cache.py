"""Lifecycle writes that pass by the record services (the set-based full re-evaluation, a move on
the board) still make the report widgets' cached figures stale once they commit."""
from __future__ import annotations

from flask import current_app, g

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.analytics import fragments
from saas.modules.analytics.cache import data_version
from saas.modules.analytics.queries import Scope
from saas.modules.analytics.widgets import WidgetSpec, save_widget
from saas.modules.lifecycle import history
from saas.tenants.context import tenant_context
from tests.lifecycle.helpers import contact, full_run, order, rule


def _customers_by_stage(tenant):
    """A saved widget counting contacts by lifecycle stage, and a way to see it as a page would."""
    widget = save_widget(None, WidgetSpec(name="Customers by stage", object_key="contact", measure="count",
                                          group_by="lifecycle_stage", chart_type="table"), None)
    db.session.commit()

    def shown() -> tuple[dict, bool]:
        # Outermost, so the test's tenant context comes back after the request's teardown.
        with tenant_context(tenant.id), current_app.test_request_context(f"/w/{tenant.slug}/analytics/"):
            g.workspace = tenant.workspace
            view = fragments.view(WidgetSpec.of(widget), Scope(), widget)
        # The request's teardown cleared the open transaction's tenant (PostgreSQL): start anew.
        db.session.rollback()
        return {r[0]: r[1] for r in view.result["rows"] if r[1]}, view.cached
    return shown


def test_a_full_re_evaluation_refreshes_cached_widgets(tenant):
    rule("Buyers", definitions.stage_map()["purchase"], [{"type": "order_count", "compare": "at_least", "count": 1}])
    buyer = contact("李娜")
    contact("王伟")
    order(buyer.id, 3, through_service=False)          # written around the services: no event
    db.session.commit()
    shown = _customers_by_stage(tenant)
    assert shown() == ({"Awareness": 2}, False)
    assert shown()[1], "the second look comes from the cache"

    before = data_version(tenant.id)
    assert full_run().moved == 1
    assert data_version(tenant.id) > before
    assert shown() == ({"Awareness": 1, "Purchase": 1}, False)

    settled = data_version(tenant.id)
    assert full_run().moved == 0                         # nothing moved: the cache stays good
    assert data_version(tenant.id) == settled and shown()[1]


def test_a_move_on_the_board_refreshes_them_when_it_commits(tenant):
    person = contact("陈静")
    shown = _customers_by_stage(tenant)
    assert shown()[0] == {"Awareness": 1}
    before = data_version(tenant.id)

    history.move_contact(person, "loyalty", tenant.owner.id)
    db.session.rollback()                                # undone: nothing to refresh
    assert data_version(tenant.id) == before

    history.move_contact(history.get_contact(person.id), "loyalty", tenant.owner.id)
    assert data_version(tenant.id) == before             # not before the commit
    db.session.commit()
    assert data_version(tenant.id) > before
    assert shown() == ({"Loyalty": 1}, False)
