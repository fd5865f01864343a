"""API test helpers: tokens for the two workspaces and a client that sends them."""
from __future__ import annotations

import pytest

from saas.tenants import api_tokens



class Api:
    """A test client that sends one bearer token."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def open(self, method: str, url: str, json=None, headers=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return self.client.open(url, method=method, json=json, headers=headers, **kwargs)

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, json=None, **kw):
        return self.open("POST", url, json=json, **kw)

    def patch(self, url, json=None, **kw):
        return self.open("PATCH", url, json=json, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)


def token_for(tenant, scopes=None) -> str:
    """A token of `tenant` with `scopes` (default: every scope, those of every served object included)."""
    from saas.api.objects import ensure_scopes

    ensure_scopes()
    _row, clear = api_tokens.create_token(tenant.id, "tests", scopes or list(api_tokens.SCOPES), tenant.owner.id)
    return clear


@pytest.fixture(autouse=True)
def generous_rate(app):
    """Most API tests send many requests: lift the plan's rate (the rate tests set their own)."""
    app.config["API_RATE_LIMIT"] = "100000 per minute"


@pytest.fixture
def api_a(client, two_workspaces):
    return Api(client, token_for(two_workspaces[0]))


@pytest.fixture
def api_b(client, two_workspaces):
    return Api(client, token_for(two_workspaces[1]))


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the documented error shape with `status` (and `code`)."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
