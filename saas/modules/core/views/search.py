"""Global search over contacts and companies by name, e-mail and phone; the search behind the
pickers of reference fields that point at more records than a list can hold."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from saas.extensions import htmx
from saas.metadata.definitions import field_map
from saas.metadata.objects import object_type
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


@bp.route("/references")
@permission_required("workspace.view")
def references():
    """The options of a reference field's picker whose titles contain `q`, keeping the value the
    field holds (sent under the field's key)."""
    object_key, key = request.args.get("object", ""), request.args.get("field", "")
    f = field_map(object_key).get(key) if object_type(object_key) is not None else None
    if f is None or f.type != "reference":
        abort(404)
    value = request.args.get(key)
    picker = records.reference_picker(f.reference_object, value, matching=request.args.get("q", "")[:100])
    return render_template("core/_reference_options.html", picker=picker, value=value)
