"""The API documentation page of a workspace: its operations and its objects' fields (custom
ones included), read from the same OpenAPI document the API serves, with a small console to
try a request with a token. Server-rendered; nothing loaded from elsewhere."""
from __future__ import annotations

from flask import Blueprint, g, render_template

from saas.tenants.request import permission_required

bp = Blueprint("api_docs", __name__, template_folder="templates", static_folder="static",
               static_url_path="/api-static")

METHODS = ("get", "post", "patch", "delete")


def operations(document: dict) -> list[dict]:
    """The document's operations grouped by tag: [{"tag", "operations": [{method, path, summary, ...}]}]."""
    groups: dict[str, list] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                op = item[method]
                tag = (op.get("tags") or ["other"])[0]
                groups.setdefault(tag, []).append({
                    "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                    "parameters": [p for p in (item.get("parameters", []) + op.get("parameters", []))],
                    "body": ((op.get("requestBody") or {}).get("content", {}).get("application/json", {})
                             .get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] or None),
                    "responses": sorted(op.get("responses", {})),
                })
    return [{"tag": tag, "operations": ops} for tag, ops in groups.items()]


@bp.route("/")
@permission_required("workspace.view")
def index():
    from saas.api.openapi import workspace_document

    document = workspace_document()
    schemas = document.get("components", {}).get("schemas", {})
    return render_template("api/docs.html", document=document, groups=operations(document), schemas=schemas,
                           workspace=g.workspace)


@bp.route("/openapi.json")
@permission_required("workspace.view")
def document():
    """The same document as /api/v1/openapi.json, for a member logged in to the browser."""
    from saas.api.openapi import workspace_document

    return workspace_document()
