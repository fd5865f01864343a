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


# The property: whatever the rules (random conditions, stages, priorities, all/any) and whatever
# happens to the customers through the record services (orders placed, cancelled and deleted,
# activities logged, a custom field edited), the events leave every customer where the full run
# puts them: a full run afterwards moves nobody, and a full run from scratch agrees wherever a rule
# decides (a customer no rule matches keeps their stage, so from scratch they are in the first one).
STAGES = ["awareness", "consideration", "purchase", "retention", "loyalty", "at_risk", "churned"]
WINDOW = st.one_of(st.none(), st.integers(1, 400))
AMOUNT = st.sampled_from(["at_least", "at_most"])
DAYS = st.sampled_from(["more_than", "less_than"])
condition = st.one_of(
    st.fixed_dictionaries({"type": st.just("order_count"), "compare": AMOUNT, "count": st.integers(0, 4),
                           "days": WINDOW}),
    st.fixed_dictionaries({"type": st.just("order_total"), "compare": AMOUNT,
                           "amount": st.sampled_from([0, 100, 350, 1000]), "days": WINDOW}),
    st.fixed_dictionaries({"type": st.just("days_since_order"), "compare": DAYS, "days": st.integers(0, 400)}),
    st.fixed_dictionaries({"type": st.just("days_since_activity"), "compare": DAYS, "days": st.integers(0, 400)}),
    st.fixed_dictionaries({"type": st.just("overdue_vs_usual"), "factor": st.sampled_from([1, 1.5, 2, 3]),
                           "min_orders": st.integers(2, 4)}),
    st.fixed_dictionaries({"type": st.just("field"), "field": st.just("vip"),
                           "op": st.sampled_from(["gt", "lt", "eq", "empty", "not_empty"]),
                           "value": st.integers(0, 3).map(str)}),
)
rule_sets = st.lists(st.tuples(st.sampled_from(STAGES), st.sampled_from(["all", "any"]),
                               st.lists(condition, min_size=1, max_size=3)), min_size=1, max_size=6)
customers = st.lists(st.fixed_dictionaries({
    "vip": st.one_of(st.none(), st.integers(0, 3)),
    "orders": st.lists(st.tuples(st.integers(0, 500), st.sampled_from(["50", "300", "700"]),
                                 st.sampled_from(["paid", "paid", "cancelled"])), max_size=5),
    "activities": st.lists(st.integers(0, 400), max_size=2),
}), min_size=1, max_size=6)
# Later changes: (what, to which customer or order, a value).
edits = st.lists(st.tuples(st.sampled_from(["cancel", "delete", "vip", "activity"]), st.integers(0, 30),
                           st.integers(0, 3)), max_size=5)


def _activity(contact_id: int, days_ago: int):
    from datetime import datetime, timedelta, timezone

    from saas.modules.core.records import create_record

    when = datetime.now(timezone.utc) - timedelta(days=days_ago, minutes=1)
    return create_record("activity", {"kind": "call", "subject": "Call", "contact": contact_id,
                                      "occurred_at": when.isoformat()})


def _edit(what: str, target: int, value: int, people: list[int], orders: list) -> None:
    from saas.modules.core.records import delete_records, update_record

    person = people[target % len(people)]
    if what == "vip":
        update_record("contact", db.session.get(Contact, person), {"vip": value})
    elif what == "activity":
        _activity(person, value * 100)
    elif orders:
        placed = orders.pop(target % len(orders))
        if what == "cancel":
            update_record("order", placed, {"status": "cancelled"})
        else:
            delete_records("order", [placed.id])
    db.session.commit()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(rule_set=rule_sets, data=customers, later=edits)
def test_events_and_the_full_run_give_the_same_stages(tenant, rule_set, data, later):
    from saas.metadata.definitions import add_field, field_map
    from saas.modules.core.models import Activity

    for model in (LifecycleMove, Activity, Order, Contact, LifecycleRule):
        db.session.query(model).delete()
    if "vip" not in field_map("contact"):
        add_field("contact", labels={"en": "VIP level"}, type="number", key="vip")
    db.session.commit()
    stages = definitions.stage_map()
    for n, (key, match, conditions) in enumerate(rule_set):
        rule(f"Rule {n}", stages[key], conditions, match=match)
    people, placed = [], []
    for n, customer in enumerate(data):
        person = contact(f"Customer {n}", **({"vip": customer["vip"]} if customer["vip"] is not None else {}))
        for days_ago, amount, status in customer["orders"]:
            placed.append(order(person.id, days_ago, amount, status))     # each one an event
        for days_ago in customer["activities"]:
            _activity(person.id, days_ago)
        db.session.commit()
        people.append(person.id)
    for what, target, value in later:
        _edit(what, target, value, people, placed)
    by_events = {p: stage_of(p) for p in people}

    assert full_run().moved == 0, "the events left someone where the full run would not"

    db.session.query(Contact).update({Contact.lifecycle_stage: None})
    db.session.commit()
    run = full_run()
    assert run.status == "done"
    decided = {m.contact_id: m.source for m in db.session.query(LifecycleMove).filter_by(evaluation_id=run.id)}
    for p in people:
        expected = by_events[p] if decided[p] == "rule" else "awareness"
        assert stage_of(p) == expected
    assert full_run().moved == 0


def test_deleting_an_order_re_decides_the_stage_without_it(tenant):
    from saas.modules.core.records import delete_records

    stages = definitions.stage_map()
    rule("Repeat", stages["retention"], [{"type": "order_count", "compare": "at_least", "count": 2}])
    rule("Buyer", stages["purchase"], [{"type": "order_count", "compare": "at_least", "count": 1}])
    person = contact("周杰")
    order(person.id, 10)
    second = order(person.id, 20)
    db.session.commit()
    assert stage_of(person.id) == "retention"
    delete_records("order", [second.id])
    db.session.commit()
    assert stage_of(person.id) == "purchase"
    assert history.path_of(person.id)[-1].rule_name == "Buyer"
