"""Records through the API: list, get, create, update, delete, filters, fields, errors."""
from __future__ import annotations

from saas.metadata import definitions
from saas.tenants.context import tenant_context
from saas.extensions import db
from tests.api.conftest import Api, assert_error, token_for


def _custom_field(tenant, **kw):
    with tenant_context(tenant.id):
        row = definitions.add_field("contact", **kw)
        db.session.commit()
        return row.id


def test_create_get_update_delete_a_contact(api_a):
    created = api_a.post("/api/v1/contacts", json={"name": "Li Wei", "email": "li@example.com", "tags": ["vip"]})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["name"] == "Li Wei" and body["tags"] == ["vip"] and isinstance(body["id"], int)
    assert created.headers["Location"].endswith(f"/api/v1/contacts/{body['id']}")

    got = api_a.get(f"/api/v1/contacts/{body['id']}").get_json()
    assert got["email"] == "li@example.com" and got["created_at"].endswith("Z")

    changed = api_a.patch(f"/api/v1/contacts/{body['id']}", json={"title": "Buyer"})
    assert changed.status_code == 200 and changed.get_json()["title"] == "Buyer"
    assert changed.get_json()["name"] == "Li Wei"

    assert api_a.delete(f"/api/v1/contacts/{body['id']}").status_code == 204
    assert_error(api_a.get(f"/api/v1/contacts/{body['id']}"), 404, "not_found")


def test_custom_fields_sit_beside_standard_ones_and_filter_and_sort(api_a, two_workspaces):
    a, _b = two_workspaces
    _custom_field(a, labels={"en": "VIP level"}, type="number", key="vip_level")
    _custom_field(a, labels={"en": "Channel"}, type="single_select", key="channel", options=["web", "shop"])
    for name, level, channel in [("Ann", 1, "web"), ("Bo", 3, "shop"), ("Cy", 2, "web"), ("Di", None, None)]:
        data = {"name": name, **({"vip_level": level} if level else {}), **({"channel": channel} if channel else {})}
        assert api_a.post("/api/v1/contacts", json=data).status_code == 201

    listed = api_a.get("/api/v1/contacts?filter[vip_level][gt]=1&sort=-vip_level&fields=name,vip_level").get_json()
    assert [r["name"] for r in listed["data"]] == ["Bo", "Cy"]
    assert set(listed["data"][0]) == {"id", "name", "vip_level"} and listed["data"][0]["vip_level"] == 3
    web = api_a.get("/api/v1/contacts?filter[channel]=web&sort=name").get_json()["data"]
    assert [r["name"] for r in web] == ["Ann", "Cy"]
    assert web[0]["channel"] == "web"

    wrong = api_a.post("/api/v1/contacts", json={"name": "Ed", "channel": "fax"})
    assert "channel" in assert_error(wrong, 422)["fields"]


def test_cursor_pages_cover_every_record_once(api_a):
    ids = [api_a.post("/api/v1/companies", json={"name": f"Co {i}"}).get_json()["id"] for i in range(7)]
    seen, cursor = [], None
    while True:
        url = "/api/v1/companies?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = api_a.get(url).get_json()
        seen += [r["id"] for r in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


def test_pages_stay_stable_while_records_are_inserted(api_a):
    first_ids = [api_a.post("/api/v1/companies", json={"name": f"Old {i}"}).get_json()["id"] for i in range(6)]
    page1 = api_a.get("/api/v1/companies?limit=3&sort=name").get_json()
    # Someone else inserts while we page, some sorting before and some after our position.
    for name in ("Aardvark", "Old 2b", "Zebra"):
        api_a.post("/api/v1/companies", json={"name": name})
    page2 = api_a.get(f"/api/v1/companies?limit=3&sort=name&cursor={page1['next_cursor']}").get_json()
    names1 = [r["name"] for r in page1["data"]]
    names2 = [r["name"] for r in page2["data"]]
    assert names1 == ["Old 0", "Old 1", "Old 2"]
    assert not set(names1) & set(names2)
    assert names2[0] == "Old 2b" and "Old 3" in names2  # nothing of the old set is skipped
    assert len(first_ids) == 6


def test_bad_input_answers_the_error_shape_never_500(api_a):
    bad = [
        (api_a.post("/api/v1/contacts", json={"name": "X", "nope": 1}), 422, "invalid"),
        (api_a.post("/api/v1/contacts", json={"name": 12}), 422, "invalid"),
        (api_a.post("/api/v1/contacts", json=["not", "an", "object"]), 400, "bad_json"),
        (api_a.open("POST", "/api/v1/contacts", data="{broken", headers={"Content-Type": "application/json"}),
         400, "bad_json"),
        (api_a.open("POST", "/api/v1/contacts", data="name=x"), 415, "unsupported_media_type"),
        (api_a.post("/api/v1/contacts", json={}), 422, "invalid"),
        (api_a.get("/api/v1/contacts?cursor=%%%notacursor"), 400, "bad_cursor"),
        (api_a.get("/api/v1/contacts?limit=100000"), 400, "bad_limit"),
        (api_a.get("/api/v1/contacts?limit=abc"), 400, "bad_limit"),
        (api_a.get("/api/v1/contacts?filter[nosuch]=1"), 400, "unknown_field"),
        (api_a.get("/api/v1/contacts?filter[name][gt]=1"), 400, "bad_filter"),
        (api_a.get("/api/v1/contacts?filter[name][wat]=1"), 400, "bad_filter"),
        (api_a.get("/api/v1/contacts?sort=nosuch"), 400, "unknown_field"),
        (api_a.get("/api/v1/contacts?whatever=1"), 400, "bad_parameter"),
        (api_a.get("/api/v1/contacts?fields=name,nosuch"), 400, "unknown_field"),
        (api_a.get("/api/v1/contacts/1?fields=nosuch"), 404, "not_found"),
        (api_a.get("/api/v1/nosuchobject"), 404, "not_found"),
        (api_a.open("PUT", "/api/v1/contacts"), 405, "method_not_allowed"),
        (api_a.get("/api/v1/contacts/999999"), 404, "not_found"),
        (api_a.patch("/api/v1/contacts/999999", json={"name": "x"}), 404, "not_found"),
    ]
    for response, status, code in bad:
        assert_error(response, status, code)


def test_tokens_are_required_and_scopes_enforced(client, two_workspaces):
    a, _b = two_workspaces
    assert_error(client.get("/api/v1/contacts"), 401, "unauthorized")
    assert client.get("/api/v1/contacts").headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(Api(client, "orch_1_" + "x" * 40).get("/api/v1/contacts"), 401)
    reader = Api(client, token_for(a, ["contacts:read"]))
    assert reader.get("/api/v1/contacts").status_code == 200
    assert_error(reader.post("/api/v1/contacts", json={"name": "X"}), 403, "insufficient_scope")
    assert_error(reader.get("/api/v1/companies"), 403, "insufficient_scope")
    writer = Api(client, token_for(a, ["companies:write"]))
    assert writer.post("/api/v1/companies", json={"name": "Acme"}).status_code == 201
    assert writer.get("/api/v1/companies").status_code == 200  # write includes read
    assert_error(writer.post("/api/v1/metadata/companies/fields", json={"type": "text", "labels": {"en": "X"}}),
                 403, "insufficient_scope")


def test_revoked_tokens_stop_working_and_last_use_is_recorded(client, two_workspaces):
    from saas.tenants import api_tokens
    from saas.tenants.models import ApiToken

    a, _b = two_workspaces
    row, clear = api_tokens.create_token(a.id, "ERP", ["contacts:read"], a.owner.id)
    assert Api(client, clear).get("/api/v1/contacts").status_code == 200
    with tenant_context(a.id):
        row = db.session.get(ApiToken, row.id)
        assert row.last_used_at is not None
        api_tokens.revoke(row)
    assert_error(Api(client, clear).get("/api/v1/contacts"), 401)
