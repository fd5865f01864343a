"""The workspace home page."""
from __future__ import annotations

from flask import Blueprint, render_template

from saas.tenants.request import permission_required

bp = Blueprint("workspace", __name__)


@bp.route("/")
@permission_required("workspace.view")
def home():
    return render_template("workspace/home.html")
