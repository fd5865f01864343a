"""Global search over contacts and companies by name, e-mail and phone."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from saas.extensions import htmx
from saas.modules.core import records
from saas.tenants.request import permission_required

bp = Blueprint("search", __name__)


@bp.route("/")
@permission_required("workspace.view")
def index():
    text = request.args.get("q", "").strip()[:100]
    results = records.search(text) if text else []
    template = "core/_search_results.html" if htmx and htmx.target == "search-results" else "core/search.html"
    return render_template(template, q=text, results=results)
