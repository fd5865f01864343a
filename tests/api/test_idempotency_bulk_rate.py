"""Idempotency keys, bulk upsert and the rate limit per token."""
from __future__ import annotations

from sqlalchemy import func, select

from saas.extensions import db
from saas.metadata import definitions
from saas.modules.core.models import Contact
from saas.tenants.context import tenant_context
from tests.api.conftest import Api, assert_error, token_for


def _contacts(tenant) -> int:
    with tenant_context(tenant.id):
        return db.session.scalar(select(func.count(Contact.id)))


def test_a_retried_create_returns_the_first_result(api_a, two_workspaces):
    a, _b = two_workspaces
    headers = {"Idempotency-Key": "order-sync-42"}
    first = api_a.post("/api/v1/contacts", json={"name": "Wang Fang"}, headers=headers)
    again = api_a.post("/api/v1/contacts", json={"name": "Wang Fang"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert _contacts(a) == 1

    other = api_a.post("/api/v1/contacts", json={"name": "Someone else"}, headers=headers)
    assert_error(other, 422, "idempotency_key_reused")
    assert _contacts(a) == 1


def test_a_failed_request_keeps_no_key_and_keys_belong_to_one_workspace(api_a, api_b, two_workspaces):
    a, b = two_workspaces
    headers = {"Idempotency-Key": "k1"}
    assert_error(api_a.post("/api/v1/contacts", json={"name": ""}, headers=headers), 422)
    assert api_a.post("/api/v1/contacts", json={"name": "Fixed"}, headers=headers).status_code == 201
    # The same key in another workspace is another key.
    assert api_b.post("/api/v1/contacts", json={"name": "B's"}, headers=headers).status_code == 201
    assert _contacts(a) == 1 and _contacts(b) == 1
    assert_error(api_a.post("/api/v1/contacts", json={"name": "x"}, headers={"Idempotency-Key": "x" * 300}), 400)


def _erp_id(tenant):
    with tenant_context(tenant.id):
        definitions.add_field("contact", labels={"en": "ERP id"}, type="text", key="erp_id", unique=True)
        db.session.commit()


def test_bulk_upsert_creates_updates_and_reports_each_item(api_a, two_workspaces):
    a, _b = two_workspaces
    _erp_id(a)
    assert api_a.post("/api/v1/contacts", json={"name": "Old name", "erp_id": "E-2"}).status_code == 201
    records = [
        {"erp_id": "E-1", "name": "Zhao Lei"},
        {"erp_id": "E-2", "name": "New name"},
        {"erp_id": "E-3", "name": "Bad e-mail", "email": "not-an-address"},
        {"name": "No key"},
        "not an object",
        {"erp_id": "E-1", "title": "Buyer"},  # the same key twice: the second updates the first
    ]
    response = api_a.post("/api/v1/contacts/bulk", json={"key": "erp_id", "records": records})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == ["created", "updated", "error", "error", "error", "updated"]
    assert body["results"][2]["error"]["fields"].keys() == {"email"}
    assert (body["created"], body["updated"], body["failed"]) == (1, 2, 3)
    listed = {r["erp_id"]: r for r in api_a.get("/api/v1/contacts?fields=name,title,erp_id").get_json()["data"]}
    assert set(listed) == {"E-1", "E-2"}
    assert listed["E-2"]["name"] == "New name" and listed["E-1"]["title"] == "Buyer"


def test_bulk_upsert_refuses_bad_requests_whole(api_a, two_workspaces):
    a, _b = two_workspaces
    _erp_id(a)
    assert_error(api_a.post("/api/v1/contacts/bulk", json={"key": "name", "records": [{"name": "x"}]}), 422)
    assert_error(api_a.post("/api/v1/contacts/bulk", json={"key": "erp_id", "records": []}), 422)
    assert_error(api_a.post("/api/v1/contacts/bulk", json={"key": "erp_id", "records": "x"}), 422)
    too_many = [{"erp_id": f"E{i}", "name": "n"} for i in range(1001)]
    assert_error(api_a.post("/api/v1/contacts/bulk", json={"key": "erp_id", "records": too_many}), 413)
    assert_error(api_a.post("/api/v1/contacts/bulk", json={"key": "erp_id", "records": [], "x": 1}), 422)
    assert _contacts(a) == 0


def test_bulk_upsert_takes_a_thousand_records(api_a, two_workspaces):
    a, _b = two_workspaces
    _erp_id(a)
    records = [{"erp_id": f"E{i}", "name": f"Contact {i}"} for i in range(1000)]
    body = api_a.post("/api/v1/contacts/bulk", json={"key": "erp_id", "records": records}).get_json()
    assert body["created"] == 1000 and body["failed"] == 0
    assert _contacts(a) == 1000


def test_rate_limit_per_token_answers_429_with_retry_after(app, client, two_workspaces):
    a, _b = two_workspaces
    app.config["API_RATE_LIMIT"] = "3 per minute"
    first, second = Api(client, token_for(a)), Api(client, token_for(a))
    for _ in range(3):
        assert first.get("/api/v1/contacts").status_code == 200
    limited = first.get("/api/v1/contacts")
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert second.get("/api/v1/contacts").status_code == 200  # keyed by token, not by address


def test_the_rate_comes_from_the_plan(app, client, two_workspaces):
    from saas.api.ratelimit import rate_for_workspace
    from flask import g

    a, _b = two_workspaces
    app.config["API_RATE_LIMIT"] = None
    with app.test_request_context("/api/v1/contacts"):
        g.workspace = a.workspace
        with tenant_context(a.id):
            rate = rate_for_workspace()
    assert rate.endswith("per minute") and int(rate.split()[0]) > 0
    response = Api(client, token_for(a)).get("/api/v1/contacts")
    assert response.headers["X-RateLimit-Limit"] == rate.split()[0]
