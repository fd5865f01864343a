"""Lifecycle definitions: the templates from the seeds, stage changes, template switches, and
that no change leaves a customer without a stage."""
from __future__ import annotations

import pytest

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.metadata.definitions import field_map
from saas.modules.core.models import Contact
from saas.modules.lifecycle import history, stages
from tests.lifecycle.helpers import contact, stage_of


def test_a_new_workspace_starts_with_seed_000s_stages(tenant):
    found = definitions.stages()
    assert [s.key for s in found] == ["awareness", "consideration", "purchase", "retention", "loyalty",
                                      "at_risk", "churned"]
    assert [s.labels["zh_Hans"] for s in found[:5]] == ["认知", "考虑", "购买", "保留", "忠诚"]
    assert {s.kind for s in found} == {"prospect", "customer", "at_risk", "lost"}
    assert [o["value"] for o in field_map("contact")["lifecycle_stage"].options] == [s.key for s in found]
    assert stages.settings().template == "funnel"


@pytest.mark.parametrize("template, keys, hans", [
    ("value", ["acquisition", "growth", "maturity", "decline", "departure"], ["获取期", "提升期", "成熟期", "衰退期", "离开期"]),
    ("erp", ["acquisition", "development", "maintenance", "loyalty", "churn"], ["客户获取", "客户开发", "客户维护", "客户忠诚", "客户流失"]),
    ("funnel", ["awareness", "consideration", "purchase", "retention", "loyalty", "at_risk", "churned"],
     ["认知", "考虑", "购买", "保留", "忠诚", "流失风险", "已流失"]),
])
def test_each_template_switches_in_and_moves_customers_by_kind(tenant, template, keys, hans):
    people = {key: contact(f"In {key}").id for key in ("purchase", "at_risk", "churned", "awareness")}
    for key, contact_id in people.items():
        history.move_contact(db.session.get(Contact, contact_id), key, tenant.owner.id)
    db.session.commit()
    stages.switch_template(template, tenant.owner.id)
    db.session.commit()
    found = definitions.stages()
    assert [s.key for s in found] == keys
    assert [s.labels["zh_Hans"] for s in found] == hans
    assert all(s.labels["en"] and s.labels["zh_Hant"] for s in found)
    kinds = {s.key: s.kind for s in found}
    for old, contact_id in people.items():
        assert stage_of(contact_id) in kinds, "nobody is left without a stage"
    assert kinds[stage_of(people["churned"])] == "lost"
    assert kinds[stage_of(people["awareness"])] == "prospect"
    assert [o["value"] for o in field_map("contact")["lifecycle_stage"].options] == keys


def test_stages_are_added_renamed_recoloured_and_reordered(tenant):
    stage = definitions.add_stage({"en": "Champion", "zh_Hans": "拥护者", "zh_Hant": "擁護者"}, "#123abc", "customer")
    assert stage.key == "champion" and stage.position > definitions.stages()[-2].position
    definitions.update_stage(stage, {"en": "Advocate", "zh_Hans": "推荐者"}, "#00ff00", "customer")
    assert stage.key == "champion" and stage.label("zh_Hans") == "推荐者" and stage.colour == "#00ff00"
    ids = [s.id for s in definitions.stages()]
    definitions.reorder_stages([stage.id] + ids[:-1])
    assert definitions.stages()[0].key == "champion"
    assert field_map("contact")["lifecycle_stage"].options[0]["value"] == "champion"


def test_bad_stage_input_is_refused_per_field(tenant):
    with pytest.raises(InputError) as caught:
        definitions.add_stage({"en": " "}, "red", "vip")
    assert set(caught.value.fields) == {"name", "colour", "kind"}


def test_removing_a_stage_asks_where_its_customers_go(tenant):
    someone = contact("张磊")
    purchase = definitions.stage_map()["purchase"]
    history.move_contact(someone, "purchase", tenant.owner.id)
    db.session.commit()
    with pytest.raises(InputError) as caught:
        stages.remove_stage(purchase, None, tenant.owner.id)
    assert "move_to" in caught.value.fields
    db.session.rollback()
    assert stages.remove_stage(definitions.get_stage(purchase.id), "retention", tenant.owner.id) == 1
    db.session.commit()
    assert "purchase" not in definitions.stage_map()
    assert stage_of(someone.id) == "retention"
    assert history.path_of(someone.id)[-1].source == "stage_removed"


def test_the_last_stage_stays(tenant):
    for stage in definitions.stages()[1:]:
        stages.remove_stage(stage, "awareness", None)
    with pytest.raises(InputError):
        stages.remove_stage(definitions.stages()[0], None, None)
