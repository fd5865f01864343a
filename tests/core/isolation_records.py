"""Isolation-walk factories for the core module (see tests/isolation.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from saas.extensions import db
from saas.modules.core.models import Activity, Company, Contact, Order, SavedView
from tests.tenants.isolation_records import _state


def _add(row):
    db.session.add(row)
    db.session.commit()
    return row.id, _state(type(row), row.id)


def company(tenant):
    return _add(Company(name=f"Company of {tenant.slug}", custom={}))


def contact(tenant):
    return _add(Contact(name=f"Contact of {tenant.slug}", email="c@example.com", custom={}))


def order(tenant):
    person = Contact(name="Buyer", custom={})
    db.session.add(person)
    db.session.flush()
    return _add(Order(number="SO-1", contact_id=person.id, ordered_on=date(2026, 1, 5),
                      amount=Decimal("99.00"), currency="CNY", status="paid", custom={}))


def activity(tenant):
    return _add(Activity(kind="call", subject="First call", custom={}))


def saved_view(tenant):
    return _add(SavedView(object_key="contact", name="Mine", user_id=tenant.owner.id, shared=True,
                          columns=["name"], filters=[]))


RECORD_FACTORIES = {
    "company_id": company,
    "contact_id": contact,
    "order_id": order,
    "activity_id": activity,
    "view_id": saved_view,
}


def field(tenant):
    from saas.metadata import definitions
    from saas.metadata.models import FieldDefinition

    row = definitions.add_field("contact", labels={"en": "Shoe size"}, type="number")
    db.session.commit()
    return row.id, _state(FieldDefinition, row.id)


RECORD_FACTORIES["field_id"] = field
