"""Likely duplicates already in the workspace, and the merge."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from saas.extensions import db
from saas.modules.core.models import Activity, Company, Contact, FieldChange, Order
from saas.modules.core.records import history
from saas.modules.imports import duplicates
from saas.modules.imports.settings import Cleaning
from saas.tenants.context import tenant_context
from tests.conftest import login


def _contact(**kw) -> Contact:
    row = Contact(custom={}, tags=[], **kw)
    db.session.add(row)
    db.session.flush()
    return row


def test_pairs_by_email_phone_and_similar_name_at_the_same_company(tenant):
    acme = Company(name="Acme", custom={}, tags=[])
    db.session.add(acme)
    db.session.flush()
    a = _contact(name="Zhang San", email="Zhang@Example.com")
    b = _contact(name="San Zhang", email="zhang@example.com")
    c = _contact(name="Li Si", phone="138 1234 5678")
    d = _contact(name="Li Si (mobile)", phone="+86 13812345678")
    e = _contact(name="王小明", company_id=acme.id)
    f = _contact(name="王 小明", company_id=acme.id)
    g = _contact(name="王小明", email="other@example.com")  # same name, no company: not a pair
    db.session.commit()
    pairs = {(p.first.id, p.second.id): p.reasons for p in duplicates.likely_duplicates(Cleaning())}
    assert pairs == {(a.id, b.id): ["email"], (c.id, d.id): ["phone"], (e.id, f.id): ["name"]}
    assert g.id not in {i for pair in pairs for i in pair}


def test_merge_keeps_picked_values_moves_activities_and_orders_and_records_it(tenant):
    survivor = _contact(name="Zhang San", email="zhang@example.com", phone=None, title="Buyer")
    other = _contact(name="张三", email="zhang.san@example.com", phone="+8613812345678", title="采购")
    db.session.add_all([
        Activity(kind="call", subject="First call", contact_id=other.id, custom={}),
        Order(number="SO-9", contact_id=other.id, ordered_on=date(2026, 1, 5), amount=Decimal("99.00"),
              currency="CNY", status="paid", custom={}),
    ])
    db.session.commit()
    duplicates.merge(survivor.id, other.id, ["phone", "title"], tenant.owner.id)
    db.session.commit()
    db.session.expire_all()
    merged = db.session.get(Contact, survivor.id)
    assert (merged.name, merged.email, merged.phone, merged.title) == (
        "Zhang San", "zhang@example.com", "+8613812345678", "采购")
    assert db.session.get(Contact, other.id) is None
    assert db.session.scalar(select(Activity.contact_id)) == survivor.id
    assert db.session.scalar(select(Order.contact_id)) == survivor.id
    record = {c.field_key: c for c in history("contact", survivor.id)}
    assert record["__merged__"].old_value["id"] == other.id
    assert record["__merged__"].new_value == {"activities": 1, "orders": 1, "fields": ["phone", "title"]}
    assert record["phone"].new_value == "+8613812345678"


def test_duplicates_page_and_merge_form(client, tenant):
    a = _contact(name="Zhang San", email="zhang@example.com")
    b = _contact(name="Zhang S.", email="ZHANG@example.com", phone="+8613812345678")
    db.session.commit()
    login(client, tenant.owner.email)
    page = client.get(f"/w/{tenant.slug}/data/duplicates")
    assert page.status_code == 200 and b"Zhang S." in page.data
    url = f"/w/{tenant.slug}/data/duplicates/{a.id}/{b.id}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"pick_name": "survivor", "pick_phone": "other"})
    assert response.status_code == 302
    db.session.expire_all()
    with tenant_context(tenant.id):  # a request's teardown leaves the tenant context
        assert db.session.get(Contact, b.id) is None
        assert db.session.get(Contact, a.id).phone == "+8613812345678"
    assert client.get(f"/w/{tenant.slug}/data/duplicates/{a.id}/{a.id}").status_code == 404
