"""Fixtures of the imports tests: files under the test's own folder, a workspace in context."""
from __future__ import annotations

import pytest

from saas.tenants.context import tenant_context
from tests import factories


@pytest.fixture(autouse=True)
def files_dir(app, tmp_path):
    app.config["IMPORT_FILES_DIR"] = str(tmp_path / "files")
    return tmp_path / "files"


@pytest.fixture
def tenant(app):
    """A workspace with its owner, in context for the test."""
    t = factories.workspace_with_owner("Alpha Trading", "owner@alpha.example")
    with tenant_context(t.id):
        yield t
