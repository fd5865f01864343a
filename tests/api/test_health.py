"""GET /api/v1/health: the liveness check answers without a token."""
from __future__ import annotations


def test_health_answers_ok_without_a_token(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_ignores_a_bad_token(client):
    response = client.get("/api/v1/health", headers={"Authorization": "Bearer orch_not_a_token"})
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
