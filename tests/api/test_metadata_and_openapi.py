"""Field definitions through the API, and the per-workspace OpenAPI document."""
from __future__ import annotations

from tests.api.conftest import Api, assert_error, token_for


def test_admin_tokens_add_and_change_custom_fields(api_a):
    created = api_a.post("/api/v1/metadata/contacts/fields", json={
        "labels": {"en": "Member tier", "zh_Hans": "会员等级"}, "type": "single_select",
        "options": ["silver", {"value": "gold", "labels": {"en": "Gold", "zh_Hans": "黄金"}}]})
    assert created.status_code == 201, created.get_json()
    field = created.get_json()
    assert field["key"] == "member_tier" and [o["value"] for o in field["options"]] == ["silver", "gold"]

    listed = api_a.get("/api/v1/metadata/contacts/fields").get_json()["data"]
    assert "member_tier" in [f["key"] for f in listed] and "name" in [f["key"] for f in listed]
    changed = api_a.patch(f"/api/v1/metadata/contacts/fields/{field['id']}", json={"filterable": True})
    assert changed.status_code == 200 and changed.get_json()["filterable"] is True
    assert api_a.get(f"/api/v1/metadata/contacts/fields/{field['id']}").get_json()["filterable"] is True

    # The new field is usable at once.
    assert api_a.post("/api/v1/contacts", json={"name": "Hu", "member_tier": "gold"}).status_code == 201
    assert_error(api_a.post("/api/v1/contacts", json={"name": "Hu", "member_tier": "platinum"}), 422)
    objects = {o["key"]: o for o in api_a.get("/api/v1/metadata").get_json()["data"]}
    assert "member_tier" in [f["key"] for f in objects["contact"]["fields"]]


def test_bad_field_definitions_answer_the_error_shape(api_a):
    url = "/api/v1/metadata/contacts/fields"
    assert_error(api_a.post(url, json={"labels": {"en": "X"}, "type": "nosuch"}), 422)
    assert_error(api_a.post(url, json={"labels": {"en": "X"}}), 422)
    assert_error(api_a.post(url, json={"type": "text"}), 422)
    assert_error(api_a.post(url, json={"labels": {"en": "X"}, "type": "text", "key": "name"}), 422)
    assert_error(api_a.post(url, json={"labels": {"xx": "X"}, "type": "text"}), 422)
    assert_error(api_a.post(url, json={"labels": {"en": "X"}, "type": "single_select", "options": [1]}), 422)
    assert_error(api_a.post(url, json={"labels": {"en": "X"}, "type": "text", "wat": 1}), 422)
    assert_error(api_a.patch("/api/v1/metadata/contacts/fields/999999", json={}), 404)


def test_reading_fields_needs_the_objects_scope(client, two_workspaces):
    a, _b = two_workspaces
    orders_only = Api(client, token_for(a, ["orders:read"]))
    assert orders_only.get("/api/v1/metadata/orders/fields").status_code == 200
    assert_error(orders_only.get("/api/v1/metadata/contacts/fields"), 403)
    assert [o["key"] for o in orders_only.get("/api/v1/metadata").get_json()["data"]] == ["order"]


def test_openapi_lists_each_workspaces_custom_fields(api_a, api_b):
    assert api_a.post("/api/v1/metadata/contacts/fields", json={
        "labels": {"en": "Shoe size"}, "type": "number"}).status_code == 201
    assert api_a.post("/api/v1/metadata/contacts/fields", json={
        "labels": {"en": "Channel"}, "type": "multi_select", "options": ["web", "shop"]}).status_code == 201
    doc_a = api_a.get("/api/v1/openapi.json").get_json()
    doc_b = api_b.get("/api/v1/openapi.json").get_json()
    assert doc_a["openapi"].startswith("3.")
    create = doc_a["components"]["schemas"]["ContactCreate"]["properties"]
    assert create["shoe_size"]["type"] == "number" and create["shoe_size"]["x-custom-field"] is True
    assert create["channel"]["type"] == "array" and create["channel"]["items"]["enum"] == ["web", "shop"]
    assert "name" in doc_a["components"]["schemas"]["ContactCreate"]["required"]
    record = doc_a["components"]["schemas"]["Contact"]["properties"]
    assert record["channel"]["x-options"] == ["web", "shop"]
    assert "shoe_size" not in doc_b["components"]["schemas"]["ContactCreate"]["properties"]
    for path in ("/api/v1/contacts", "/api/v1/contacts/{record_id}", "/api/v1/contacts/bulk",
                 "/api/v1/orders", "/api/v1/metadata/contacts/fields"):
        assert path in doc_a["paths"], path
    assert_error(api_a.client.get("/api/v1/openapi.json"), 401)


def test_the_docs_page_shows_operations_and_custom_fields(app, client, api_a, two_workspaces, login_as):
    a, _b = two_workspaces
    api_a.post("/api/v1/metadata/contacts/fields", json={"labels": {"en": "Shoe size"}, "type": "number"})
    login_as(client, a.owner.email)
    page = client.get(f"/w/{a.slug}/settings/api/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/contacts/{record_id}" in html and "shoe_size" in html and "Orchard-Signature" in html
    assert client.get(f"/w/{a.slug}/settings/api/openapi.json").get_json()["paths"]
