"""The isolation walk: every workspace route that takes a record id, tried by a user of
workspace B with workspace A's ids, reading and writing, answers 404 and changes nothing.

Routes are found in app.url_map by themselves; see tests/isolation.py for how a new kind of
id joins."""
from __future__ import annotations

import re

import pytest

from saas.tenants.context import tenant_context
from tests.conftest import login
from tests.isolation import record_factories

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _id_arguments(rule) -> list[str]:
    return sorted(arg for arg in rule.arguments if arg.endswith("_id"))


def workspace_routes_with_ids(app):
    for rule in app.url_map.iter_rules():
        if "workspace_slug" in rule.arguments and _id_arguments(rule):
            yield rule


def _url(rule, slug: str, ids: dict) -> str:
    url = rule.rule.replace("<workspace_slug>", slug)
    for arg in _id_arguments(rule):
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(ids[arg]), url)
    assert "<" not in url, f"{rule.rule}: an argument the walk cannot fill"
    return url


def test_the_walk_finds_routes(app):
    assert len(list(workspace_routes_with_ids(app))) >= 3


def test_every_id_route_answers_404_to_another_workspace(app, client, two_workspaces):
    a, b = two_workspaces
    factories = record_factories()
    rules = list(workspace_routes_with_ids(app))
    missing = sorted({arg for rule in rules for arg in _id_arguments(rule)} - set(factories))
    assert not missing, f"add isolation factories for: {missing} (see tests/isolation.py)"

    ids, snapshots = {}, {}
    with tenant_context(a.id):
        for arg in sorted({arg for rule in rules for arg in _id_arguments(rule)}):
            ids[arg], snapshots[arg] = factories[arg](a)
        before = {arg: snap() for arg, snap in snapshots.items()}

    login(client, b.owner.email)
    tried = []
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for slug in (b.slug, a.slug):  # A's ids in B's workspace, and A's workspace itself
                url = _url(rule, slug, ids)
                response = client.open(url, method=method, data={}, follow_redirects=False)
                assert response.status_code == 404, f"{method} {url} as B answered {response.status_code}"
                tried.append((method, url))
    with tenant_context(a.id):
        after = {arg: snap() for arg, snap in snapshots.items()}
    assert after == before, "a refused request changed workspace A's records"
    assert tried
