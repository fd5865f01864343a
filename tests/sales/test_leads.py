"""Leads: assignment rules on every new lead (pages, API, services), and conversion into a contact,
a company and a deal in one transaction."""
from __future__ import annotations

from sqlalchemy import func, select

from saas.extensions import db
from saas.metadata import definitions
from saas.modules.core.models import Company, Contact
from saas.modules.sales import leads
from saas.modules.sales.models import Deal, Lead
from saas.tenants import api_tokens
from saas.tenants.context import tenant_context
from tests import factories
from tests.conftest import login
from tests.sales import helpers


def test_round_robin_takes_turns(two_workspaces):
    a, _b = two_workspaces
    first = factories.member(a, "seller1@alpha.example")
    second = factories.member(a, "seller2@alpha.example")
    with tenant_context(a.id):
        leads.save_rule(None, name="Sellers", kind="round_robin", user_ids=[first.id, second.id])
        db.session.commit()
        owners = [helpers.lead(f"Lead {i}").owner_id for i in range(4)]
    assert owners == [first.id, second.id, first.id, second.id]


def test_a_field_rule_wins_before_round_robin(two_workspaces):
    a, _b = two_workspaces
    east = factories.member(a, "east@alpha.example")
    other = factories.member(a, "other@alpha.example")
    with tenant_context(a.id):
        definitions.add_field("lead", labels={"en": "Region"}, type="single_select", key="region",
                              options=["华东", "华南"])
        leads.save_rule(None, name="East", kind="field", field_key="region", mapping={"华东": east.id})
        leads.save_rule(None, name="Rest", kind="round_robin", user_ids=[other.id])
        db.session.commit()
        assert helpers.lead("上海客户", region="华东").owner_id == east.id
        assert helpers.lead("广州客户", region="华南").owner_id == other.id


def test_rules_check_their_input(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    url = f"/w/{a.slug}/sales/leads/assignment"
    response = client.post(url, data={"name": "", "kind": "round_robin"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Give the rule a name." in page and "at least one member" in page
    response = client.post(url, data={"name": "By region", "kind": "field", "field_key": "email",
                                      "mapping": "华东 = nobody@nowhere.example"})
    assert response.status_code == 422 and "Not understood" in response.get_data(as_text=True)
    response = client.post(url, data={"name": "Me", "kind": "round_robin", "user_ids": [a.owner.id], "active": "1"})
    assert response.status_code == 302
    with tenant_context(a.id):
        assert [r.name for r in leads.rules()] == ["Me"]


def test_rules_apply_to_leads_made_in_the_browser_and_the_api(client, two_workspaces):
    a, _b = two_workspaces
    seller = factories.member(a, "seller@alpha.example")
    with tenant_context(a.id):
        leads.save_rule(None, name="Seller", kind="round_robin", user_ids=[seller.id])
        db.session.commit()
    login(client, a.owner.email)
    response = client.post(f"/w/{a.slug}/leads/new", data={"name": "From the page", "status": "new"})
    assert response.status_code == 302
    _row, token = api_tokens.create_token(a.id, "tests", ["leads:write"], a.owner.id)
    db.session.commit()
    response = client.post("/api/v1/leads", json={"name": "From the API"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    with tenant_context(a.id):
        owners = dict(db.session.execute(select(Lead.name, Lead.owner_id)).all())
    assert owners == {"From the page": seller.id, "From the API": seller.id}


def test_convert_makes_contact_company_and_deal(client, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        lead_id = helpers.lead("陈静", company_name="杭州绿源茶业", email="chen@lvyuan.example").id
        stage_id = helpers.stages()["Proposal"].id
    login(client, a.owner.email)
    url = f"/w/{a.slug}/sales/leads/{lead_id}/convert"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"create_deal": "1", "deal_name": "绿源 年度采购", "amount": "56000",
                                      "currency": "CNY", "stage_id": stage_id, "expected_close_on": "2026-06-30"})
    assert response.status_code == 302
    with tenant_context(a.id):
        lead = db.session.get(Lead, lead_id)
        deal = db.session.get(Deal, lead.converted_deal_id)
        contact = db.session.get(Contact, lead.converted_contact_id)
        assert lead.status == "converted"
        assert (contact.name, contact.email, contact.company_id) == ("陈静", "chen@lvyuan.example", lead.converted_company_id)
        assert db.session.get(Company, lead.converted_company_id).name == "杭州绿源茶业"
        assert (deal.name, deal.stage_id, deal.company_id) == ("绿源 年度采购", stage_id, lead.converted_company_id)
        from saas.modules.sales.deals import contacts_of

        assert [c.id for c in contacts_of(deal)] == [contact.id]


def test_a_failed_conversion_leaves_nothing_behind(client, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        lead_id = helpers.lead("刘洋", company_name="成都天府餐饮集团").id
        stage_id = helpers.stages()["Proposal"].id
    login(client, a.owner.email)
    response = client.post(f"/w/{a.slug}/sales/leads/{lead_id}/convert",
                           data={"create_deal": "1", "deal_name": "x", "amount": "lots", "currency": "CNY",
                                 "stage_id": stage_id})
    assert response.status_code == 422
    with tenant_context(a.id):
        assert db.session.scalar(select(func.count()).select_from(Company)) == 0
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
        assert db.session.scalar(select(func.count()).select_from(Deal)) == 0
        assert db.session.get(Lead, lead_id).status == "new"
