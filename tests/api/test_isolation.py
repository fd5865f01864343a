"""The isolation walk, extended to the API: every /api/v1 rule with an id, tried with workspace
B's token (all scopes) on workspace A's ids, for every method, answers 404 and changes nothing.

Rules are found in app.url_map; an object rule is tried for every object the API serves, with
the `<object key>_id` factory of tests/**/isolation_records.py (see tests/isolation.py)."""
from __future__ import annotations

import re

from saas.api.objects import api_objects
from saas.extensions import db
from saas.metadata import definitions
from saas.metadata.models import FieldDefinition
from saas.tenants.context import tenant_context
from tests.api.conftest import Api, token_for
from tests.isolation import record_factories
from tests.tenants.isolation_records import _state


def _field(tenant):
    row = definitions.add_field("contact", labels={"en": "Loyalty tier"}, type="text", key="loyalty_tier")
    db.session.commit()
    return row.id, _state(FieldDefinition, row.id)


def api_rules_with_ids(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and any(a.endswith("_id") for a in rule.arguments):
            yield rule


def _fill(rule, obj_path: str | None, ids: dict) -> str:
    url = rule.rule
    if obj_path is not None:
        url = re.sub(r"<api_object:[a-z_]+>", obj_path, url)
    for arg, value in ids.items():
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(value), url)
    assert "<" not in url, f"{rule.rule}: an argument the walk cannot fill"
    return url


def test_the_walk_finds_api_routes(app):
    rules = list(api_rules_with_ids(app))
    assert any("record_id" in r.arguments for r in rules) and any("field_id" in r.arguments for r in rules)


def test_workspace_b_never_reaches_workspace_a_through_the_api(app, client, two_workspaces):
    a, b = two_workspaces
    factories = dict(record_factories())
    factories.setdefault("field_id", _field)
    objects = list(api_objects().values())
    missing = sorted({f"{o.key}_id" for o in objects} - set(factories))
    assert not missing, f"add isolation factories for: {missing} (see tests/isolation.py)"

    made, snapshots = {}, {}
    with tenant_context(a.id):
        for obj in objects:
            made[obj.key], snapshots[obj.key] = factories[f"{obj.key}_id"](a)
        made["field_id"], snapshots["field_id"] = factories["field_id"](a)
        before = {k: snap() for k, snap in snapshots.items()}

    api = Api(client, token_for(b))
    tried = []
    for rule in api_rules_with_ids(app):
        for obj in (objects if "obj" in rule.arguments else [None]):
            ids = {}
            if "record_id" in rule.arguments:
                ids["record_id"] = made[obj.key]
            if "field_id" in rule.arguments:
                ids["field_id"] = made["field_id"]
            url = _fill(rule, obj.path if obj else None, ids)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                body = {"name": "taken over"} if method in ("PATCH", "POST", "PUT") else None
                response = api.open(method, url, json=body)
                assert response.status_code == 404, f"{method} {url} as B answered {response.status_code}"
                assert response.get_json()["error"]["code"] == "not_found"
                tried.append((method, url))
    with tenant_context(a.id):
        after = {k: snap() for k, snap in snapshots.items()}
    assert after == before, "a refused request changed workspace A's records"
    assert len(tried) >= 3 * len(objects)


def test_a_missing_id_and_another_workspaces_id_answer_alike(app, client, two_workspaces):
    a, b = two_workspaces
    with tenant_context(a.id):
        theirs, _snap = record_factories()["contact_id"](a)
    api = Api(client, token_for(b))
    other = api.get(f"/api/v1/contacts/{theirs}")
    missing = api.get("/api/v1/contacts/987654")
    assert other.status_code == missing.status_code == 404
    assert other.get_json() == missing.get_json()
