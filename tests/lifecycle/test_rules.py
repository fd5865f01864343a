"""Rules and evaluation: the editor refuses what it can tell is wrong, priority decides, a second
pass changes nothing, and each condition type selects the right customers."""
from __future__ import annotations

import pytest

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.models import Contact
from saas.modules.lifecycle import evaluation, history, jobs, rules
from saas.modules.lifecycle.models import Evaluation, LifecycleMove
from tests.lifecycle.helpers import contact, full_run, order, rule, stage_of


def _full_run() -> int:
    return full_run().moved


@pytest.mark.parametrize("conditions, field", [
    ([{"type": "field", "field": "shoe_size", "op": "eq", "value": "1"}], "c-0-field"),
    ([{"type": "field", "field": "name", "op": "gt", "value": "1"}], "c-0-op"),
    ([{"type": "field", "field": "name", "op": "eq", "value": ""}], "c-0-value"),
    ([{"type": "order_count", "compare": "at_least", "count": "two", "days": "180"}], "c-0-count"),
    ([{"type": "order_count", "compare": "at_least", "count": "2", "days": "-5"}], "c-0-days"),
    ([{"type": "nonsense"}], "c-0-type"),
    ([], "conditions"),
])
def test_the_editor_refuses_what_it_can_tell_is_wrong(tenant, conditions, field):
    stage = definitions.stage_map()["retention"]
    with pytest.raises(InputError) as caught:
        rules.save_rule(None, "Repeat buyers", stage.id, "all", conditions)
    assert field in caught.value.fields


def test_a_name_and_a_stage_are_required(tenant):
    with pytest.raises(InputError) as caught:
        rules.save_rule(None, " ", 999999, "all", [{"type": "order_count", "compare": "at_least", "count": 1}])
    assert {"name", "stage"} <= set(caught.value.fields)


def test_at_least_two_orders_in_180_days(tenant):
    stage = definitions.stage_map()["retention"]
    rule("Repeat buyers", stage, [{"type": "order_count", "compare": "at_least", "count": 2, "days": 180}])
    repeat, once, old = contact("Repeat"), contact("Once"), contact("Old")
    for days in (10, 100):
        order(repeat.id, days, through_service=False)
    order(once.id, 10, through_service=False)
    for days in (200, 300):
        order(old.id, days, through_service=False)
    order(once.id, 20, status="cancelled", through_service=False)
    db.session.commit()
    _full_run()
    assert stage_of(repeat.id) == "retention"
    assert stage_of(once.id) == "awareness" and stage_of(old.id) == "awareness"


def test_total_spend_and_days_since_the_last_order(tenant):
    stages = definitions.stage_map()
    rule("Big spenders", stages["loyalty"], [{"type": "order_total", "compare": "at_least", "amount": 5000}])
    rule("Gone quiet", stages["churned"], [{"type": "days_since_order", "compare": "more_than", "days": 365}])
    big, quiet = contact("Big"), contact("Quiet")
    order(big.id, 5, "6000", through_service=False)
    order(quiet.id, 400, "50", through_service=False)
    db.session.commit()
    _full_run()
    assert stage_of(big.id) == "loyalty" and stage_of(quiet.id) == "churned"


def test_the_first_matching_rule_wins(tenant):
    stages = definitions.stage_map()
    rule("Loyal", stages["loyalty"], [{"type": "order_count", "compare": "at_least", "count": 3}])
    rule("Buyer", stages["purchase"], [{"type": "order_count", "compare": "at_least", "count": 1}])
    person = contact("Both")
    for days in (1, 2, 3):
        order(person.id, days, through_service=False)
    db.session.commit()
    _full_run()
    assert stage_of(person.id) == "loyalty"
    rules.reorder_rules([r.id for r in reversed(rules.rules())])
    db.session.commit()
    _full_run()
    assert stage_of(person.id) == "purchase"
    moves = db.session.query(LifecycleMove).filter_by(contact_id=person.id).order_by(LifecycleMove.id).all()
    assert [(m.from_stage, m.to_stage, m.rule_name) for m in moves[-2:]] == [
        ("awareness", "loyalty", "Loyal"), ("loyalty", "purchase", "Buyer")]


def test_a_second_pass_changes_nothing(tenant):
    stages = definitions.stage_map()
    rule("Buyer", stages["purchase"], [{"type": "order_count", "compare": "at_least", "count": 1}])
    rule("Named Li", stages["consideration"], [{"type": "field", "field": "name", "op": "contains", "value": "李"}])
    rule("Gone", stages["churned"], [{"type": "days_since_order", "compare": "more_than", "days": 30}])
    people = [contact(name) for name in ("李娜", "王伟", "Li Lei", "李强")]
    order(people[0].id, 50, through_service=False)
    order(people[1].id, 3, through_service=False)
    db.session.commit()
    first = _full_run()
    before = {p.id: stage_of(p.id) for p in people}
    assert first > 0
    assert _full_run() == 0
    assert {p.id: stage_of(p.id) for p in people} == before
    assert before[people[0].id] == "purchase" and before[people[3].id] == "consideration"


def test_customers_overdue_against_their_own_rhythm(tenant):
    at_risk = definitions.stage_map()["at_risk"]
    rules.add_template_rule("overdue")
    db.session.commit()
    assert rules.rules()[0].stage_id == at_risk.id
    monthly_late, monthly_on_time, weekly_late = contact("Monthly late"), contact("Monthly on time"), contact("Weekly")
    for days in (100, 130, 160, 190):          # every 30 days, last one 100 days ago: > 2 × 30
        order(monthly_late.id, days, through_service=False)
    for days in (20, 50, 80, 110):             # every 30 days, last one 20 days ago
        order(monthly_on_time.id, days, through_service=False)
    for days in (20, 27, 34, 41):              # every 7 days, last one 20 days ago: > 2 × 7
        order(weekly_late.id, days, through_service=False)
    db.session.commit()
    _full_run()
    assert stage_of(monthly_late.id) == "at_risk"
    assert stage_of(weekly_late.id) == "at_risk"
    assert stage_of(monthly_on_time.id) == "awareness"


def test_a_rule_over_a_custom_field(tenant):
    from saas.metadata.definitions import add_field

    add_field("contact", labels={"en": "VIP level"}, type="number", key="vip_level")
    db.session.commit()
    rule("VIPs", definitions.stage_map()["loyalty"], [{"type": "field", "field": "vip_level", "op": "gt", "value": "2"}])
    vip, normal = contact("VIP", vip_level=3), contact("Normal", vip_level=1)
    _full_run()
    assert stage_of(vip.id) == "loyalty" and stage_of(normal.id) == "awareness"


def test_a_failed_evaluation_changes_nothing(tenant, monkeypatch):
    rule("Buyer", definitions.stage_map()["purchase"], [{"type": "order_count", "compare": "at_least", "count": 1}])
    person = contact("Buyer")
    order(person.id, 1, through_service=False)
    db.session.commit()

    def boom(evaluation_id, progress=None):
        raise RuntimeError("mail server down")

    monkeypatch.setattr("saas.modules.lifecycle.actions.run_for_evaluation", boom)
    run = Evaluation(trigger="manual", status="queued", steps_done=0, steps_total=3, moved=0)
    db.session.add(run)
    db.session.commit()
    with pytest.raises(RuntimeError):
        jobs.run_evaluation(run.id)
    failed = jobs.get_evaluation(run.id)
    assert failed.status == "failed" and "mail server down" in failed.message
    assert stage_of(person.id) == "awareness"
    assert db.session.query(LifecycleMove).filter_by(evaluation_id=run.id).count() == 0


def test_without_rules_a_full_run_gives_the_stageless_the_first_stage(tenant):
    person = contact("无名")
    db.session.query(Contact).update({Contact.lifecycle_stage: None})
    db.session.commit()
    assert _full_run() == 1
    assert stage_of(person.id) == "awareness"
    assert history.path_of(person.id)[-1].source == "start"
