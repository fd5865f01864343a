"""Fixtures of the lifecycle tests: a workspace in context."""
from __future__ import annotations

import pytest

from saas.tenants.context import tenant_context
from tests import factories


@pytest.fixture
def tenant(app):
    """A workspace with its owner (the funnel stages of seed 000), in context for the test."""
    t = factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")
    with tenant_context(t.id):
        yield t
