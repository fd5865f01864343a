"""What an API request reads along with its token (the metadata version, the plugin choices) and
what the process keeps because of it (list queries, rate windows): never stale, never shared."""
from __future__ import annotations

from saas.api import ratelimit
from saas.extensions import db
from saas.metadata import definitions
from saas.modules.apps import services as apps
from saas.tenants.context import tenant_context
from tests.api.conftest import Api, token_for


def test_a_new_custom_field_shows_in_the_next_list(api_a, two_workspaces):
    a, _b = two_workspaces
    assert api_a.post("/api/v1/contacts", json={"name": "Ann"}).status_code == 201
    before = api_a.get("/api/v1/contacts?limit=5").get_json()["data"]
    assert "loyalty_code" not in before[0]
    with tenant_context(a.id):
        definitions.add_field("contact", labels={"en": "Loyalty code"}, type="text", key="loyalty_code")
        db.session.commit()
    after = api_a.get("/api/v1/contacts?limit=5").get_json()["data"]
    assert "loyalty_code" in after[0] and after[0]["loyalty_code"] is None
    filtered = api_a.get("/api/v1/contacts?limit=5&filter[loyalty_code][empty]=")
    assert filtered.status_code == 200 and len(filtered.get_json()["data"]) == 1


def test_a_plugin_turned_off_answers_404_from_the_next_request(api_a, api_b, two_workspaces):
    a, _b = two_workspaces
    assert api_a.get("/api/v1/deals").status_code == 200
    with tenant_context(a.id):
        apps.disable(a.workspace, "sales")
        db.session.commit()
    assert api_a.get("/api/v1/deals").status_code == 404
    assert api_b.get("/api/v1/deals").status_code == 200        # B's choice is its own
    with tenant_context(a.id):
        apps.enable(a.workspace, "sales")
        db.session.commit()
    assert api_a.get("/api/v1/deals").status_code == 200


def test_the_same_list_in_two_workspaces_shows_each_its_own(api_a, api_b):
    for api, names in ((api_a, ["A1", "A2"]), (api_b, ["B1"])):
        for name in names:
            assert api.post("/api/v1/contacts", json={"name": name}).status_code == 201
    url = "/api/v1/contacts?limit=1&sort=name&fields=name"
    for _ in range(2):                                            # the second round from the kept queries
        first_a = api_a.get(url).get_json()
        assert [r["name"] for r in first_a["data"]] == ["A1"] and first_a["next_cursor"]
        assert [r["name"] for r in api_a.get(f"{url}&cursor={first_a['next_cursor']}").get_json()["data"]] == ["A2"]
        only_b = api_b.get(url).get_json()
        assert [r["name"] for r in only_b["data"]] == ["B1"] and only_b["next_cursor"] is None
        # A's cursor in B's list reads B's records only (B has nothing after it by name): no leak.
        assert all(r["name"].startswith("B") for r in
                   api_b.get(f"{url}&cursor={first_a['next_cursor']}").get_json()["data"])


def test_rate_headers_count_down_within_the_window(app, client, two_workspaces):
    a, _b = two_workspaces
    app.config["API_RATE_LIMIT"] = "5 per minute"
    api = Api(client, token_for(a))
    remaining = [int(api.get("/api/v1/contacts").headers["X-RateLimit-Remaining"]) for _ in range(3)]
    assert remaining == [4, 3, 2]


def test_local_windows_let_hits_in_again_once_the_oldest_leave(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    windows = ratelimit.LocalWindows()
    assert windows.hit("k", 2, 60) == (True, 1000.0, 1)
    now[0] = 1010.0
    assert windows.hit("k", 2, 60) == (True, 1000.0, 2)
    assert windows.hit("k", 2, 60) == (False, 1000.0, 2)
    assert windows.hit("other", 2, 60)[0] is True                # keys count apart
    now[0] = 1060.5                                               # the first hit has left the window
    assert windows.hit("k", 2, 60) == (True, 1010.0, 2)


def test_list_rows_render_values_as_the_record_does(api_a, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        for key, type_, options in (("met_on", "date", None), ("seen_at", "datetime", None),
                                    ("score", "number", None), ("vip_flag", "boolean", None),
                                    ("hobbies", "multi_select", ["golf", "tea"]), ("nick", "text", None)):
            definitions.add_field("contact", labels={"en": key}, type=type_, key=key, options=options)
        db.session.commit()
    values = [{"met_on": "2024-02-29", "seen_at": "2024-03-01T08:30:00+08:00", "score": 3.0, "vip_flag": True,
               "hobbies": ["tea"], "nick": "Li"},
              {"seen_at": "2024-03-01T00:30:00Z", "score": 2.5}, {}]
    for i, extra in enumerate(values):
        assert api_a.post("/api/v1/contacts", json={"name": f"C{i}", **extra}).status_code == 201
    for row in api_a.get("/api/v1/contacts?limit=10").get_json()["data"]:
        assert row == api_a.get(f"/api/v1/contacts/{row['id']}").get_json()
    first = api_a.get("/api/v1/contacts?limit=10&sort=name").get_json()["data"][0]
    assert first["seen_at"] == "2024-03-01T00:30:00Z" and first["score"] == 3 and first["met_on"] == "2024-02-29"
