"""Pipelines and stages: a default pipeline per new workspace, several per workspace, edited in the studio."""
from __future__ import annotations

import pytest

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import pipelines
from saas.tenants.context import tenant_context
from tests.conftest import login


def test_every_new_workspace_gets_the_default_pipeline(two_workspaces):
    a, b = two_workspaces
    for tenant in (a, b):
        with tenant_context(tenant.id):
            found = pipelines.pipelines("deal")
            assert len(found) == 1 and found[0].is_default
            assert [s.outcome for s in found[0].stages][-2:] == ["won", "lost"]
            assert [s.probability for s in found[0].stages][:2] == [10, 25]
            assert found[0].stages[0].label("zh_Hans") == "资格审查"


def test_pipeline_services_check_their_input(two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        second = pipelines.create_pipeline("deal", {"en": "Renewals", "zh_Hans": "续约"})
        assert len(pipelines.pipelines("deal")) == 2
        with pytest.raises(InputError) as error:
            pipelines.create_pipeline("deal", {"en": "  "})
        assert "name" in error.value.fields
        stage = second.stages[0]
        with pytest.raises(InputError) as error:
            pipelines.update_stage(stage, probability="150")
        assert "probability" in error.value.fields
        with pytest.raises(InputError) as error:
            pipelines.update_stage(stage, outcome="maybe")
        assert "outcome" in error.value.fields
        pipelines.update_stage(stage, labels={"en": "Intro", "zh_Hant": "初談"}, probability=15, outcome="open")
        assert (stage.name, stage.label("zh_Hant"), stage.probability) == ("Intro", "初談", 15)
        ids = [s.id for s in second.stages]
        pipelines.reorder_stages(second, list(reversed(ids)))
        assert [s.id for s in second.stages] == list(reversed(ids))


def test_studio_adds_renames_and_reorders(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    base = f"/w/{a.slug}/settings/pipelines"
    response = client.post(f"{base}/", data={"name_en": "Key accounts", "name_zh_Hans": "大客户"})
    assert response.status_code == 302
    with tenant_context(a.id):
        pipeline = pipelines.pipelines("deal")[-1]
        stage_ids = [s.id for s in pipeline.stages]
        pipeline_id = pipeline.id
    assert client.get(f"{base}/{pipeline_id}").status_code == 200
    # Bad input: the error is shown next to the form, nothing saved.
    response = client.post(f"{base}/{pipeline_id}/stages", data={"name_en": "Demo", "probability": "abc"})
    assert response.status_code == 422 and "0 to 100" in response.get_data(as_text=True)
    response = client.post(f"{base}/{pipeline_id}/stages", data={"name_en": "Demo", "name_zh_Hans": "演示",
                                                                 "probability": "35", "outcome": "open"})
    assert response.status_code == 302
    response = client.post(f"{base}/{pipeline_id}/reorder", data={"stage_ids": list(reversed(stage_ids))},
                           headers={"HX-Request": "true"})
    assert response.status_code == 204
    client.post(f"{base}/{pipeline_id}", data={"name_en": "Key accounts", "name_zh_Hant": "大客戶"})
    with tenant_context(a.id):
        db.session.expire_all()
        pipeline = pipelines.get_pipeline(pipeline_id)
        assert pipeline.labels == {"en": "Key accounts", "zh_Hant": "大客戶"}
        assert [s.id for s in pipeline.stages][:len(stage_ids)] == list(reversed(stage_ids))
        assert pipeline.stages[-1].labels == {"en": "Demo", "zh_Hans": "演示"}


def test_members_cannot_edit_pipelines(client, two_workspaces):
    from tests import factories

    a, _b = two_workspaces
    member = factories.member(a, "member@alpha.example")
    login(client, member.email)
    assert client.get(f"/w/{a.slug}/settings/pipelines/").status_code == 403
