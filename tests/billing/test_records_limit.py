"""The plan's records limit holds where records are created: the browser, the API and imports."""
import pytest
from sqlalchemy import func, select

from saas.errors import InputError
from saas.extensions import db
from saas.modules.core.models import Contact
from saas.modules.core.records import create_record, update_record
from saas.tenants.context import tenant_context


def _fill(limit_reached_at: int):
    for n in range(limit_reached_at):
        create_record("contact", {"name": f"Customer {n}"})
    db.session.commit()


def test_creating_beyond_the_plan_is_refused_and_nothing_is_written(app, two_workspaces, monkeypatch):
    from saas.modules.billing import plans

    a, _b = two_workspaces
    free = plans.PLANS["free"]
    monkeypatch.setitem(plans.PLANS, "free", free.__class__(**{**free.__dict__,
                        "limits": free.limits.__class__(**{**free.limits.__dict__, "records": 3})}))
    with tenant_context(a.id):
        _fill(3)
        with pytest.raises(InputError) as refused:
            create_record("contact", {"name": "One too many"})
        assert refused.value.code == "plan_limit"
        db.session.rollback()
        assert db.session.scalar(select(func.count(Contact.id))) == 3


def test_the_api_answers_the_documented_error_shape_at_the_limit(app, client, two_workspaces, monkeypatch):
    from saas.modules.billing import plans
    from saas.tenants import api_tokens

    a, _b = two_workspaces
    free = plans.PLANS["free"]
    monkeypatch.setitem(plans.PLANS, "free", free.__class__(**{**free.__dict__,
                        "limits": free.limits.__class__(**{**free.limits.__dict__, "records": 1})}))
    _row, token = api_tokens.create_token(a.id, "ERP", ["contacts:write"], a.owner.id)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/contacts", json={"name": "First"}, headers=headers).status_code == 201
    refused = client.post("/api/v1/contacts", json={"name": "Second"}, headers=headers)
    assert refused.status_code == 402
    assert refused.get_json()["error"]["code"] == "plan_limit"
