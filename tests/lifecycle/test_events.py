"""Evaluation on events (an order placed, a deal won) and its agreement with the full run."""
from __future__ import annotations


from hypothesis import HealthCheck, given, settings, strategies as st

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.models import Contact, Order
from saas.modules.lifecycle import history
from saas.modules.lifecycle.models import LifecycleMove, LifecycleRule
from tests.lifecycle.helpers import contact, full_run, order, rule, stage_of


def test_a_new_customer_starts_in_the_first_stage(tenant):
    person = contact("王伟")
    assert stage_of(person.id) == "awareness"
    assert [(m.from_stage, m.to_stage, m.source) for m in history.path_of(person.id)] == [(None, "awareness", "start")]


def test_placing_an_order_moves_the_customer_at_once(tenant):
    rule("Buyer", definitions.stage_map()["purchase"], [{"type": "order_count", "compare": "at_least", "count": 1}])
    person = contact("李娜")
    order(person.id, 0)
    db.session.commit()
    assert stage_of(person.id) == "purchase"
    last = history.path_of(person.id)[-1]
    assert (last.from_stage, last.to_stage, last.rule_name, last.source) == ("awareness", "purchase", "Buyer", "rule")


def test_a_manual_move_is_recorded_with_its_user(tenant):
    person = contact("张磊")
    history.move_contact(person, "consideration", tenant.owner.id)
    db.session.commit()
    last = history.path_of(person.id)[-1]
    assert (last.to_stage, last.source, last.user_id) == ("consideration", "manual", tenant.owner.id)


def test_a_stage_edited_on_the_record_is_recorded(tenant):
    from saas.modules.core.records import update_record

    person = contact("陈静")
    update_record("contact", person, {"lifecycle_stage": "loyalty"}, user_id=tenant.owner.id)
    db.session.commit()
    last = history.path_of(person.id)[-1]
    assert (last.from_stage, last.to_stage, last.source, last.user_id) == ("awareness", "loyalty", "record",
                                                                          tenant.owner.id)


def test_winning_a_deal_moves_its_contacts(tenant):
    from saas.modules.sales.models import DealContact
    from tests.sales import helpers as sales

    rule("Won a deal", definitions.stage_map()["purchase"], [{"type": "deal_won"}])
    person = contact("吴昊")
    deal = sales.deal("Tea contract")
    db.session.add(DealContact(deal_id=deal.id, contact_id=person.id))
    db.session.commit()
    from saas.modules.core.records import update_record

    update_record("deal", deal, {"stage": sales.stages()["Won"].id}, user_id=tenant.owner.id)
    db.session.commit()
    assert stage_of(person.id) == "purchase"


RULES = [
    ("Loyal", "loyalty", [{"type": "order_total", "compare": "at_least", "amount": 900, "days": 365}]),
    ("Repeat", "retention", [{"type": "order_count", "compare": "at_least", "count": 2, "days": 180}]),
    ("Overdue", "at_risk", [{"type": "overdue_vs_usual", "factor": 2, "min_orders": 3}]),
    ("Gone", "churned", [{"type": "days_since_order", "compare": "more_than", "days": 300}]),
    ("Buyer", "purchase", [{"type": "order_count", "compare": "at_least", "count": 1}]),
    ("Named", "consideration", [{"type": "field", "field": "name", "op": "contains", "value": "7"}]),
]

customers = st.lists(st.lists(st.tuples(st.integers(0, 500), st.sampled_from(["50", "300", "700"]),
                                        st.sampled_from(["paid", "paid", "cancelled"])), max_size=6),
                     min_size=1, max_size=8)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=customers)
def test_events_and_the_full_run_give_the_same_stages(tenant, data):
    db.session.query(LifecycleMove).delete()
    db.session.query(Order).delete()
    db.session.query(Contact).delete()
    db.session.query(LifecycleRule).delete()
    db.session.commit()
    stages = definitions.stage_map()
    for name, key, conditions in RULES:
        rule(name, stages[key], conditions)
    people = []
    for n, orders in enumerate(data):
        person = contact(f"Customer {n}")
        for days_ago, amount, status in orders:
            order(person.id, days_ago, amount, status)          # each order placed is an event
        people.append(person.id)
    db.session.commit()
    by_events = {p: stage_of(p) for p in people}
    db.session.query(Contact).update({Contact.lifecycle_stage: None})
    db.session.commit()
    assert full_run().status == "done"
    assert {p: stage_of(p) for p in people} == by_events
    assert full_run().moved == 0
