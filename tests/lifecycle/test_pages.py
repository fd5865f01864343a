"""The lifecycle pages: board, customer path, analytics, stages, the rule editor, re-evaluation."""
from __future__ import annotations

import re

import pytest

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.records import create_record
from saas.modules.lifecycle import history, rules
from saas.modules.lifecycle.models import LifecycleRule
from saas.tenants.context import tenant_context
from tests import factories
from tests.conftest import login
from tests.lifecycle.helpers import contact, order, run_jobs, stage_of

HTMX = {"HX-Request": "true"}


@pytest.fixture
def tenant(app):
    """A workspace with its owner; requests reset the tenant context, so tests enter it themselves."""
    return factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")


def _setup(client, tenant):
    login(client, tenant.owner.email)
    return f"/w/{tenant.slug}/lifecycle"


def ctx(tenant):
    return tenant_context(tenant.id)


def test_the_board_shows_customers_by_stage_with_owners(client, tenant):
    base = _setup(client, tenant)
    with ctx(tenant):
        person = contact("王伟", owner_id=tenant.owner.id)
        pid = person.id
        history.move_contact(person, "loyalty", tenant.owner.id)
        db.session.commit()
    page = client.get(f"{base}/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="column-loyalty"' in text and "王伟" in text and 'data-testid="count-loyalty">1<' in text
    assert client.get(f"{base}/customers/{pid}").status_code == 200


def test_dragging_a_card_moves_the_customer_and_records_who(client, tenant):
    base = _setup(client, tenant)
    with ctx(tenant):
        person = contact("李娜")
        pid = person.id
    answer = client.post(f"{base}/customers/{pid}/move", data={"stage": "purchase"}, headers=HTMX)
    assert answer.status_code == 200 and 'id="lifecycle-board"' in answer.get_data(as_text=True)
    with ctx(tenant):
        assert stage_of(pid) == "purchase"
        assert history.path_of(pid)[-1].user_id == tenant.owner.id
    assert client.post(f"{base}/customers/{pid}/move", data={"stage": "nowhere"}).status_code == 302
    with ctx(tenant):
        assert stage_of(pid) == "purchase"


def test_the_rule_editor_builds_a_rule_and_shows_errors_beside_the_inputs(client, tenant):
    base = _setup(client, tenant)
    with ctx(tenant):
        retention = definitions.stage_map()["retention"].id
    # Choosing the type re-draws the form with that type's inputs.
    drawn = client.post(f"{base}/rules/editor", data={"name": "Repeat", "stage": retention, "match": "all",
                                                      "c-0-type": "order_count"}, headers=HTMX)
    assert 'name="c-0-count"' in drawn.get_data(as_text=True)
    # A control named like a form method shadows it, and htmx's swap (form.remove()) breaks.
    assert not set(re.findall(r'name="([^"]+)"', drawn.get_data(as_text=True))) & {"remove", "submit", "reset"}
    added = client.post(f"{base}/rules/editor", data={"c-0-type": "order_count", "add_condition": "1"}, headers=HTMX)
    assert 'name="c-1-type"' in added.get_data(as_text=True)
    removed = client.post(f"{base}/rules/editor", data={"c-0-type": "order_count", "c-1-type": "",
                                                        "remove_condition": "0"}, headers=HTMX)
    assert 'name="c-1-type"' not in removed.get_data(as_text=True)
    # A field condition offers only the operators of the chosen field.
    drawn = client.post(f"{base}/rules/editor", data={"c-0-type": "field", "c-0-field": "name"}, headers=HTMX)
    text = drawn.get_data(as_text=True)
    assert 'value="contains"' in text and 'value="gt"' not in text
    bad = client.post(f"{base}/rules/new", data={"name": "Repeat", "stage": retention, "match": "all",
                                                 "c-0-type": "order_count", "c-0-compare": "at_least",
                                                 "c-0-count": "two"}, headers=HTMX)
    assert bad.status_code == 200 and "Enter a number." in bad.get_data(as_text=True)
    assert client.post(f"{base}/rules/new", data={"name": "Repeat", "stage": retention}).status_code == 422
    good = client.post(f"{base}/rules/new", data={"name": "Repeat", "stage": retention, "match": "all", "enabled": "1",
                                                  "c-0-type": "order_count", "c-0-compare": "at_least",
                                                  "c-0-count": "2", "c-0-days": "180"}, headers=HTMX)
    assert good.status_code == 204 and good.headers["HX-Redirect"].endswith("/lifecycle/rules")
    with ctx(tenant):
        saved = db.session.query(LifecycleRule).one()
        saved_id = saved.id
        assert saved.conditions == [{"type": "order_count", "compare": "at_least", "count": 2, "days": 180}]
    assert client.get(f"{base}/rules").status_code == 200
    assert client.get(f"{base}/rules/{saved_id}").status_code == 200
    assert client.get(f"{base}/rules/new?template=overdue").status_code == 200


def test_re_evaluation_from_the_board_with_its_progress(client, tenant):
    base = _setup(client, tenant)
    with ctx(tenant):
        rules.add_template_rule("repeat_buyer")
        db.session.commit()
        person = contact("张磊")
        pid = person.id
        for days in (1, 2):
            order(pid, days, through_service=False)
        db.session.commit()
    started = client.post(f"{base}/evaluations", headers=HTMX)
    assert started.status_code == 200 and "evaluation-progress" in started.get_data(as_text=True)
    with ctx(tenant):
        run_jobs()
        from saas.modules.lifecycle.jobs import latest_evaluation

        run_id = latest_evaluation().id
        assert stage_of(pid) == "purchase"
    progress = client.get(f"{base}/evaluations/{run_id}", headers=HTMX)
    assert progress.status_code == 200 and 'aria-valuenow="100"' in progress.get_data(as_text=True)


def test_analytics_show_plotly_charts_served_by_orchard(client, tenant):
    base = _setup(client, tenant)
    with ctx(tenant):
        person = contact("陈静")
        pid = person.id
        history.move_contact(person, "purchase", None)
        history.move_contact(person, "churned", None)
        db.session.commit()
    page = client.get(f"{base}/analytics")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "plotly.min.js" in text and "cdn" not in text.lower()
    assert 'data-testid="chart-churn"' in text and "Plotly.newPlot" in text


def test_stages_page_adds_edits_and_removes_stages(client, tenant):
    base = _setup(client, tenant)
    assert client.get(f"{base}/stages").status_code == 200
    assert client.get(f"{base}/stages?template=value").status_code == 200
    bad = client.post(f"{base}/stages", data={"name_en": "", "colour": "blue", "kind": "customer"})
    assert bad.status_code == 422 and "Give it a name" in bad.get_data(as_text=True)
    assert client.post(f"{base}/stages", data={"name_en": "Champion", "colour": "#112233",
                                               "kind": "customer"}).status_code == 302
    with ctx(tenant):
        champion_id = definitions.stage_map()["champion"].id
        person = contact("Li")
        pid = person.id
        history.move_contact(person, "champion", None)
        db.session.commit()
    refused = client.post(f"{base}/stages/{champion_id}/delete", data={})
    assert refused.status_code == 422 and "Choose where" in refused.get_data(as_text=True)
    assert client.post(f"{base}/stages/{champion_id}/delete", data={"move_to": "loyalty"}).status_code == 302
    with ctx(tenant):
        assert stage_of(pid) == "loyalty"
    assert client.post(f"{base}/template", data={"template": "erp"}).status_code == 302
    with ctx(tenant):
        assert [s.key for s in definitions.stages()][0] == "acquisition"


def test_viewers_see_the_board_but_cannot_move_or_configure(client, tenant):
    from tests import factories

    viewer = factories.member(tenant, "viewer@alpha.example", role="viewer")
    login(client, viewer.email)
    base = f"/w/{tenant.slug}/lifecycle"
    with ctx(tenant):
        person = contact("王芳")
        pid = person.id
    assert client.get(f"{base}/").status_code == 200
    assert client.post(f"{base}/customers/{pid}/move", data={"stage": "loyalty"}).status_code == 403
    assert client.get(f"{base}/rules").status_code == 403


def test_the_contact_record_page_shows_the_customers_path(client, tenant):
    login(client, tenant.owner.email)
    with ctx(tenant):
        person = contact("赵敏")
        pid = person.id
        history.move_contact(person, "loyalty", tenant.owner.id)
        db.session.commit()
        loyalty = definitions.stage_map()["loyalty"].label()
        company_id = create_record("company", {"name": "Beta Ltd"}).id
        db.session.commit()
    text = client.get(f"/w/{tenant.slug}/contacts/{pid}").get_data(as_text=True)
    panel = text[text.index('data-testid="path"'):text.index('data-testid="timeline"')]
    assert "Path through the lifecycle" in panel
    assert f"<strong>{loyalty}</strong>" in panel and "moved by" in panel
    # Only contacts are customers with a path.
    assert 'data-testid="path"' not in client.get(f"/w/{tenant.slug}/companies/{company_id}").get_data(as_text=True)
