"""The analytics pages: dashboards (grid, date range and filter, tiles), the widget library and
editor with its live preview, each widget's htmx fragment and its CSV. Routes parse, call a
service, render."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from saas.extensions import htmx
from saas.metadata.definitions import field_map
from saas.metadata.types import OPERATORS
from saas.plugin_api import InputError, _, can, db, permission_required, pipelines, require
from saas.modules.analytics import dashboards as dashboard_service
from saas.modules.analytics import cache, fragments
from saas.modules.analytics import widgets as widget_service
from saas.modules.analytics.periods import RANGES
from saas.modules.analytics.widgets import BUCKET_LABELS, CHART_TYPES, MEASURE_LABELS, QUERY, WidgetSpec

bp = Blueprint("analytics", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/analytics")


def _user_id() -> int:
    return g.membership.user_id


def _dashboard_or_404(dashboard_id: int):
    dashboard = dashboard_service.get_dashboard(dashboard_id, _user_id())
    if dashboard is None:
        abort(404)
    return dashboard


def _changeable_dashboard_or_404(dashboard_id: int):
    dashboard = _dashboard_or_404(dashboard_id)
    require("records.edit")
    if not dashboard_service.may_change(dashboard, _user_id(), can("settings.manage")):
        abort(403)
    return dashboard


def _widget_or_404(widget_id: int):
    widget = widget_service.get_widget(widget_id)
    if widget is None:
        abort(404)
    return widget


def _filters_from(form: MultiDict) -> list[dict]:
    out = []
    for key, op, value in zip(form.getlist("ff"), form.getlist("fo"), form.getlist("fv") + [""] * 50):
        if key and op:
            out.append({"field": key, "op": op, "value": value})
    return out


def _spec_from(form: MultiDict) -> WidgetSpec:
    def text(key):
        return (form.get(key) or "").strip() or None

    options = {}
    if form.get("pipeline_id", "").isdigit():
        options["pipeline_id"] = int(form["pipeline_id"])
    return WidgetSpec(name=form.get("name", ""), kind=form.get("kind") or QUERY, object_key=text("object_key"),
                      measure=form.get("measure") or "count", measure_field=text("measure_field"),
                      group_by=text("group_by"), group_bucket=text("group_bucket"), group_by2=text("group_by2"),
                      group_bucket2=text("group_bucket2"), filters=_filters_from(form),
                      date_field=text("date_field"), date_range=form.get("date_range") or "all",
                      date_from=text("date_from"), date_to=text("date_to"),
                      chart_type=form.get("chart_type") or "bar", options=options)


# --- dashboards -------------------------------------------------------------------------------

@bp.route("/")
@permission_required("workspace.view")
def dashboards():
    boards = dashboard_service.visible_dashboards(_user_id())
    if boards and not request.args.get("all"):
        return redirect(url_for(".dashboard", dashboard_id=boards[0].id))
    return render_template("analytics/dashboards.html", boards=boards, errors={})


@bp.route("/dashboards", methods=["POST"])
@permission_required("records.edit")
def new_dashboard():
    try:
        board = dashboard_service.save_dashboard(None, request.form.get("name", ""),
                                                 bool(request.form.get("shared")), _user_id())
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return render_template("analytics/dashboards.html", boards=dashboard_service.visible_dashboards(_user_id()),
                               errors=exc.fields), 422
    return redirect(url_for(".dashboard", dashboard_id=board.id))


@bp.route("/dashboards/<int:dashboard_id>")
@permission_required("workspace.view")
def dashboard(dashboard_id: int):
    board = _dashboard_or_404(dashboard_id)
    scope = dashboard_service.scope_of(board, request.args)
    scope_args = {k: v for k, v in (("range", request.args.get("range")), ("from", request.args.get("from")),
                                    ("to", request.args.get("to"))) if v is not None}
    return render_template(
        "analytics/dashboard.html", board=board, boards=dashboard_service.visible_dashboards(_user_id()),
        tiles=dashboard_service.tiles(board), scope=scope, scope_args=scope_args, ranges=RANGES,
        may_change=can("records.edit") and dashboard_service.may_change(board, _user_id(), can("settings.manage")),
        library=widget_service.all_widgets(), filter_fields=_dashboard_filter_fields(), operators=OPERATORS,
        errors={})


def _dashboard_filter_fields() -> list:
    # Fields a dashboard-wide filter can use: those of contacts and deals (owner, selects ...).
    seen, out = set(), []
    for object_key in ("deal", "contact", "order", "company"):
        try:
            fields = field_map(object_key)
        except Exception:  # noqa: BLE001  (an object whose module is not installed)
            continue
        for f in fields.values():
            if f.key not in seen and f.kind in ("choice", "reference", "bool") and f.type != "multi_select":
                seen.add(f.key)
                out.append(f)
    return out


@bp.route("/dashboards/<int:dashboard_id>/settings", methods=["POST"])
@permission_required("workspace.view")
def dashboard_settings(dashboard_id: int):
    board = _changeable_dashboard_or_404(dashboard_id)
    try:
        dashboard_service.save_dashboard(board, request.form.get("name", ""), bool(request.form.get("shared")),
                                         _user_id())
        db.session.commit()
        flash(_("Saved."), "success")
    except InputError as exc:
        db.session.rollback()
        flash(next(iter(exc.fields.values()), exc.message), "error")
    return redirect(url_for(".dashboard", dashboard_id=dashboard_id))


@bp.route("/dashboards/<int:dashboard_id>/scope", methods=["POST"])
@permission_required("workspace.view")
def dashboard_scope(dashboard_id: int):
    board = _changeable_dashboard_or_404(dashboard_id)
    try:
        dashboard_service.set_scope(board, request.form.get("range"), request.form.get("from"),
                                    request.form.get("to"), _filters_from(request.form))
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        flash(next(iter(exc.fields.values()), exc.message), "error")
    return redirect(url_for(".dashboard", dashboard_id=dashboard_id))


@bp.route("/dashboards/<int:dashboard_id>/layout", methods=["POST"])
@permission_required("workspace.view")
def dashboard_layout(dashboard_id: int):
    board = _changeable_dashboard_or_404(dashboard_id)
    payload = request.get_json(silent=True) or {}
    layout = payload.get("tiles") if isinstance(payload, dict) else None
    if not isinstance(layout, list):
        return {"error": {"code": "bad_layout", "message": _("The layout could not be read.")}}, 400
    dashboard_service.save_layout(board, [item for item in layout if isinstance(item, dict)])
    db.session.commit()
    return "", 204


@bp.route("/dashboards/<int:dashboard_id>/tiles", methods=["POST"])
@permission_required("workspace.view")
def add_tile(dashboard_id: int):
    board = _changeable_dashboard_or_404(dashboard_id)
    widget = widget_service.get_widget(request.form.get("widget_id", type=int) or 0)
    if widget is None:
        flash(_("Choose a widget to add."), "warning")
    else:
        dashboard_service.add_tile(board, widget)
        db.session.commit()
    return redirect(url_for(".dashboard", dashboard_id=dashboard_id))


@bp.route("/dashboards/<int:dashboard_id>/tiles/<int:tile_id>/remove", methods=["POST"])
@permission_required("workspace.view")
def remove_tile(dashboard_id: int, tile_id: int):
    board = _changeable_dashboard_or_404(dashboard_id)
    tile = dashboard_service.get_tile(board, tile_id)
    if tile is None:
        abort(404)
    dashboard_service.remove_tile(tile)
    db.session.commit()
    return redirect(url_for(".dashboard", dashboard_id=dashboard_id))


@bp.route("/dashboards/<int:dashboard_id>/delete", methods=["POST"])
@permission_required("workspace.view")
def delete_dashboard(dashboard_id: int):
    board = _changeable_dashboard_or_404(dashboard_id)
    name = board.name
    dashboard_service.delete_dashboard(board)
    db.session.commit()
    flash(_("The dashboard “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for(".dashboards", all=1))


# --- widgets ----------------------------------------------------------------------------------

@bp.route("/widgets")
@permission_required("workspace.view")
def widgets():
    return render_template("analytics/widgets.html", widgets=widget_service.all_widgets(),
                           kinds=widget_service.widget_kinds(), charts=CHART_TYPES)


def _editor(widget, spec: WidgetSpec, errors: dict, status: int = 200, dashboard_id: int | None = None):
    object_key = spec.object_key if spec.object_key and spec.kind == QUERY else "deal"
    try:
        fields = field_map(object_key)
    except Exception:  # noqa: BLE001
        fields = {}
    preview = fragments.view(spec) if not errors else None
    return render_template(
        "analytics/widget_form.html", widget=widget, spec=spec, errors=errors, preview=preview,
        objects=widget_service.object_choices(), kinds=widget_service.widget_kinds(), charts=CHART_TYPES,
        measures=MEASURE_LABELS, buckets=BUCKET_LABELS, ranges=RANGES, operators=OPERATORS,
        all_fields=[f for f in fields.values() if not f.hidden or f.key == spec.group_by],
        groupable=widget_service.groupable_fields(object_key) if fields else [],
        numbers=widget_service.number_fields(object_key) if fields else [],
        dates=widget_service.date_fields(object_key) if fields else [],
        pipelines=pipelines.pipelines("deal"), dashboard_id=dashboard_id), status


def _switched(spec: WidgetSpec) -> WidgetSpec:
    """The editor after its kind or records were switched (the page reloads with them in the address)."""
    if request.args.get("name") is not None:
        spec.name = request.args["name"]
    kind = request.args.get("kind")
    object_key = request.args.get("object_key")
    if (kind and kind != spec.kind) or (object_key and object_key != spec.object_key):
        fresh = WidgetSpec(name=spec.name, kind=kind or spec.kind, object_key=object_key or spec.object_key or "deal")
        return fresh
    return spec


@bp.route("/widgets/new", methods=["GET", "POST"])
@permission_required("records.edit")
def new_widget():
    dashboard_id = request.values.get("dashboard", type=int)
    board = _changeable_dashboard_or_404(dashboard_id) if dashboard_id else None
    if request.method == "GET":
        return _editor(None, _switched(WidgetSpec()), {}, dashboard_id=dashboard_id)
    spec = _spec_from(request.form)
    try:
        widget = widget_service.save_widget(None, spec, _user_id())
        if board is not None:
            dashboard_service.add_tile(board, widget)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _editor(None, spec, exc.fields or {"_form": exc.message}, 422, dashboard_id)
    flash(_("Widget “%(name)s” saved.", name=widget.name), "success")
    if board is not None:
        return redirect(url_for(".dashboard", dashboard_id=board.id))
    return redirect(url_for(".edit_widget", widget_id=widget.id))


@bp.route("/widgets/<int:widget_id>/edit", methods=["GET", "POST"])
@permission_required("workspace.view")
def edit_widget(widget_id: int):
    widget = _widget_or_404(widget_id)
    require("records.edit")
    if request.method == "GET":
        spec = _switched(WidgetSpec.of(widget))
        missing = widget_service.missing_field(spec)
        errors = {missing.role: _("This field no longer exists: choose another.")} if missing else {}
        return _editor(widget, spec, errors, 200)
    spec = _spec_from(request.form)
    try:
        widget_service.save_widget(widget, spec, _user_id())
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _editor(widget, spec, exc.fields or {"_form": exc.message}, 422)
    flash(_("Widget “%(name)s” saved.", name=widget.name), "success")
    return redirect(url_for(".edit_widget", widget_id=widget.id))


@bp.route("/widgets/preview", methods=["POST"])
@permission_required("records.edit")
def preview_widget():
    spec = _spec_from(request.form)
    errors: dict = {}
    try:
        spec = widget_service.check(spec)
    except InputError as exc:
        db.session.rollback()
        errors = exc.fields or {"_form": exc.message}
    preview = None if errors else fragments.view(spec)
    return render_template("analytics/_preview.html", spec=spec, preview=preview, errors=errors,
                           error_slots=ERROR_SLOTS)


ERROR_SLOTS = ("name", "kind", "object_key", "measure", "measure_field", "group_by", "group_bucket", "group_by2",
               "group_bucket2", "filters", "date_field", "date_range", "date_from", "date_to", "chart_type")


@bp.route("/widgets/<int:widget_id>")
@permission_required("workspace.view")
def widget(widget_id: int):
    if htmx:
        return _widget_fragment(widget_id)
    widget = _widget_or_404(widget_id)
    board = _board_from_args()
    shown = fragments.view(WidgetSpec.of(widget), dashboard_service.scope_of(board, request.args), widget)
    return render_template("analytics/widget.html", widget=widget, shown=shown, board=board,
                           scope_args=_scope_args())


def _widget_fragment(widget_id: int):
    # A dashboard's tile comes whole from the cache while neither the records nor the definitions
    # (widgets, dashboards, fields) changed: a hit reads no table beyond the request's membership.
    shared_key, own_key = fragments.tile_keys(widget_id, request.args.get("dashboard", type=int), _user_id(),
                                              _scope_args())
    html, versions = cache.get_current([shared_key, own_key], g.workspace.id)
    if html is not None:
        return html
    widget = _widget_or_404(widget_id)
    board = _board_from_args()
    shown = fragments.view(WidgetSpec.of(widget), dashboard_service.scope_of(board, request.args), widget)
    html = render_template("analytics/_widget.html", widget=widget, shown=shown, board=board,
                           scope_args=_scope_args())
    if shown.result is not None:
        # A private dashboard's tile is kept for its owner alone; any other for every member.
        key = own_key if board is not None and not board.shared else shared_key
        cache.put_current(key, html.replace('data-widget-id=', 'data-cached="1" data-widget-id=', 1), versions)
    return html


def _board_from_args():
    board_id = request.args.get("dashboard", type=int)
    return _dashboard_or_404(board_id) if board_id else None


def _scope_args() -> dict:
    return {k: request.args[k] for k in ("range", "from", "to") if k in request.args}


@bp.route("/widgets/<int:widget_id>/csv")
@permission_required("workspace.view")
def widget_csv(widget_id: int):
    widget = _widget_or_404(widget_id)
    shown = fragments.view(WidgetSpec.of(widget), dashboard_service.scope_of(_board_from_args(), request.args), widget)
    if shown.result is None:
        abort(409)
    filename = f"widget-{widget.id}.csv"
    return Response("\ufeff" + fragments.csv_text(shown.result), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/widgets/<int:widget_id>/delete", methods=["POST"])
@permission_required("workspace.view")
def delete_widget(widget_id: int):
    widget = _widget_or_404(widget_id)
    require("records.edit")
    name = widget.name
    widget_service.delete_widget(widget)
    db.session.commit()
    flash(_("The widget “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for(".widgets"))
