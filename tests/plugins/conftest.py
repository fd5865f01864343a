"""An app with the sample and the broken test plugins loaded (PLUGIN_MODULES)."""
import pytest

from saas import create_app
from tests import conftest as root
from tests.plugins import sample_plugin


@pytest.fixture
def app(database):
    app = create_app({**root._base_config(database["app_url"], database["owner_url"]),
                      "PLUGIN_MODULES": ["tests.plugins.sample_plugin", "tests.plugins.broken_plugin"]})
    sample_plugin.CALLS.clear()
    sample_plugin.FAIL["navigation_items"] = False

    @app.url_value_preprocessor
    def _forget_previous_user(endpoint, values):
        # One app context spans the test's requests; Flask-Login keeps the user in g.
        from flask import g

        g.pop("_login_user", None)

    with app.app_context():
        yield app
        from saas.extensions import db

        db.session.remove()
        db.engine.dispose()
