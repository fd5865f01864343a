"""Customers created in a batch (a chunk of an import) get the stage and the history that creating
them one by one gives: on PostgreSQL the stage is decided before the rows are written
(records_creating), elsewhere after (records_created)."""
from __future__ import annotations

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.bulk import create_records
from saas.modules.core.records import create_record
from saas.modules.lifecycle import history
from tests.lifecycle.helpers import order, rule, stage_of

PEOPLE = [
    {"name": "王伟", "title": "CEO", "email": "wang@example.com"},
    {"name": "李娜", "email": "li@example.com"},
    {"name": "张磊"},
    {"name": "陈静", "lifecycle_stage": "retention"},
    {"name": "刘洋", "title": "CEO", "lifecycle_stage": "retention"},
    {"name": "Ann", "title": "ceo", "email": "ann@example.com", "lifecycle_stage": "awareness"},
]


def _rules() -> None:
    stages = definitions.stage_map()
    rule("Chief", stages["loyalty"], [{"type": "field", "field": "title", "op": "eq", "value": "CEO"}])
    rule("Reachable, no orders yet", stages["consideration"], [
        {"type": "field", "field": "email", "op": "not_empty"},
        {"type": "order_count", "compare": "at_most", "count": 0}])


def _story(contact_id: int) -> tuple:
    return stage_of(contact_id), [(m.from_stage, m.to_stage, m.source, m.rule_name)
                                  for m in history.path_of(contact_id)]


def test_a_batch_of_new_customers_gets_the_stages_and_history_of_one_by_one_creation(tenant):
    _rules()
    one_by_one = [create_record("contact", dict(person)).id for person in PEOPLE]
    db.session.commit()
    together = create_records("contact", [dict(person) for person in PEOPLE])
    db.session.commit()
    assert all(isinstance(i, int) for i in together)
    expected = [_story(i) for i in one_by_one]
    assert [_story(i) for i in together] == expected
    assert [stage for stage, _path in expected] == ["loyalty", "consideration", "awareness", "retention",
                                                    "loyalty", "consideration"]


def test_customers_of_a_batch_move_on_as_any_customer_does(tenant):
    _rules()
    stages = definitions.stage_map()
    rule("Buyer", stages["purchase"], [{"type": "order_count", "compare": "at_least", "count": 1}])
    first, second = create_records("contact", [{"name": "周杰"}, {"name": "吴昊", "email": "wu@example.com"}])
    db.session.commit()
    assert (stage_of(first), stage_of(second)) == ("awareness", "consideration")
    order(second, 0)
    db.session.commit()
    assert stage_of(second) == "purchase"
