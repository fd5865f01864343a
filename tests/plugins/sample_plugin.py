"""A plugin used by the platform tests: a page, a navigation item, a hook that can be made to fail."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from saas.plugin_api import WORKSPACE_PREFIX, hookimpl, permission_required

CALLS: list[tuple[str, int]] = []
FAIL = {"navigation_items": False}


class Settings(Schema):
    motto = fields.String(load_default="Grow", validate=validate.Length(min=1, max=40), metadata={"label": "Motto"})
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=10))


MANIFEST = {
    "name": "sample",
    "version": "0.1.0",
    "publisher": "Tests",
    "description": "A plugin for the platform's tests.",
    "permissions": ["records.read"],
    "settings": Settings,
}

bp = Blueprint("sample", __name__)


@bp.route("/")
@permission_required("workspace.view")
def index():
    return "sample page"


@hookimpl
def register_blueprints(app):
    app.register_blueprint(bp, url_prefix=f"{WORKSPACE_PREFIX}/sample")


@hookimpl
def navigation_items(workspace):
    CALLS.append(("navigation_items", workspace.id))
    if FAIL["navigation_items"]:
        raise RuntimeError("sample broke")
    return [{"endpoint": "sample.index", "label": "Sample"}]


@hookimpl
def plugin_enabled(workspace, first_time):
    CALLS.append(("plugin_enabled", workspace.id, first_time))
