"""Deals: a metadata object (custom fields, lists, API), the kanban board and its moves, history,
the lost reason, deal.won for webhooks, and same-workspace references."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import definitions, pipelines
from saas.modules.core.records import create_record, history
from saas.modules.sales.models import Deal
from saas.tenants.context import tenant_context
from tests.conftest import login
from tests.sales import helpers

HX = {"HX-Request": "true"}


def test_deals_take_custom_fields_and_follow_their_stage(two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        definitions.add_field("deal", labels={"en": "Channel"}, type="text", key="channel")
        deal = helpers.deal(channel="Tmall", currency="CNY", expected_close_on="2026-03-01")
        assert deal.custom == {"channel": "Tmall"}
        assert deal.pipeline_id == pipelines.default_pipeline("deal").id
        # A deal without a stage starts in the default pipeline's first stage.
        bare = create_record("deal", {"name": "No stage", "amount": "5"})
        db.session.commit()
        assert bare.stage_id == helpers.stages()["Qualification"].id


def test_a_deal_cannot_point_at_another_workspaces_company(two_workspaces):
    a, b = two_workspaces
    with tenant_context(b.id):
        other = create_record("company", {"name": "Beta only"})
        db.session.commit()
        other_id = other.id
    with tenant_context(a.id):
        with pytest.raises(InputError) as error:
            helpers.deal(company=other_id)
        assert "company" in error.value.fields
        db.session.rollback()


def test_board_shows_stages_and_cards(client, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        deal_id = helpers.deal("紫金茶叶 年度合同", amount="88000").id
        pipeline_id = pipelines.default_pipeline("deal").id
    login(client, a.owner.email)
    assert client.get(f"/w/{a.slug}/sales/board").status_code == 302
    page = client.get(f"/w/{a.slug}/sales/pipelines/{pipeline_id}/board").get_data(as_text=True)
    assert "紫金茶叶 年度合同" in page and "vendor/Sortable.min.js" in page and f'data-testid="deal-{deal_id}"' in page
    assert client.get(f"/w/{a.slug}/sales/deals/{deal_id}").status_code == 200
    assert client.get(f"/w/{a.slug}/deals/").status_code == 200          # the list view with the query builder
    assert client.get(f"/w/{a.slug}/deals/{deal_id}").status_code == 200


def test_moving_a_deal_is_recorded_in_its_history(client, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        deal_id = helpers.deal().id
        proposal = helpers.stages()["Proposal"].id
    login(client, a.owner.email)
    response = client.post(f"/w/{a.slug}/sales/deals/{deal_id}/move", data={"stage_id": proposal}, headers=HX)
    assert response.status_code == 200 and 'id="board"' in response.get_data(as_text=True)
    with tenant_context(a.id):
        deal = db.session.get(Deal, deal_id)
        assert deal.stage_id == proposal
        changes = [h for h in history("deal", deal_id) if h.field_key == "stage"]
        assert changes and changes[0].new_value == proposal and changes[0].user_id == a.owner.id


def test_a_move_to_lost_asks_for_a_reason_and_records_it(client, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        deal_id = helpers.deal().id
        start = helpers.stages()["Qualification"].id
        lost = helpers.stages()["Lost"].id
    login(client, a.owner.email)
    url = f"/w/{a.slug}/sales/deals/{deal_id}/move"
    response = client.post(url, data={"stage_id": lost}, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="lost-reason"' in page and 'name="reason"' in page
    with tenant_context(a.id):
        assert db.session.get(Deal, deal_id).stage_id == start          # nothing moved yet
    response = client.post(url, data={"stage_id": lost, "reason": "价格太高"}, headers=HX)
    assert 'data-testid="lost-reason"' not in response.get_data(as_text=True)
    with tenant_context(a.id):
        db.session.expire_all()
        deal = db.session.get(Deal, deal_id)
        assert (deal.stage_id, deal.lost_reason) == (lost, "价格太高") and deal.closed_on is not None
        assert {h.field_key for h in history("deal", deal_id)} >= {"stage", "lost_reason"}
    # Without htmx the same form is a page of its own.
    with tenant_context(a.id):
        other = helpers.deal("Second").id
    response = client.post(f"/w/{a.slug}/sales/deals/{other}/move", data={"stage_id": lost})
    assert response.status_code == 200 and 'name="reason"' in response.get_data(as_text=True)


def test_a_move_to_a_stage_of_another_workspace_is_refused(client, two_workspaces):
    a, b = two_workspaces
    with tenant_context(a.id):
        deal_id = helpers.deal().id
    with tenant_context(b.id):
        foreign_stage = helpers.stages()["Won"].id
    login(client, a.owner.email)
    response = client.post(f"/w/{a.slug}/sales/deals/{deal_id}/move", data={"stage_id": foreign_stage}, headers=HX)
    assert response.status_code == 404
    with tenant_context(a.id):
        assert db.session.get(Deal, deal_id).stage_id == helpers.stages()["Qualification"].id


def test_winning_a_deal_sends_deal_won_to_webhooks(client, two_workspaces):
    from saas.modules.webhooks.models import WebhookDelivery
    from saas.modules.webhooks.services import create_webhook

    a, _b = two_workspaces
    with tenant_context(a.id):
        create_webhook("https://hooks.example.com/orchard", ["deal.won", "deal.created"])
        deal_id = helpers.deal().id
        won = helpers.stages()["Won"].id
    login(client, a.owner.email)
    client.post(f"/w/{a.slug}/sales/deals/{deal_id}/move", data={"stage_id": won}, headers=HX)
    with tenant_context(a.id):
        events = [d.event for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]
    assert "deal.created" in events and events.count("deal.won") == 1


def test_contacts_and_tasks_on_a_deal(client, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        deal_id = helpers.deal().id
        contact_id = create_record("contact", {"name": "李娜"}).id
        db.session.commit()
    login(client, a.owner.email)
    base = f"/w/{a.slug}/sales/deals/{deal_id}"
    assert client.post(f"{base}/contacts", data={"contact_id": contact_id}).status_code == 302
    assert client.post(f"{base}/tasks", data={"subject": "发送报价单", "due_on": "2026-02-01"}).status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "李娜" in page and "发送报价单" in page
