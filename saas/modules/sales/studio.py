"""The pipeline studio (admins): pipelines and their stages — add, rename per language, reorder by
dragging, set win probability and outcome, remove an empty stage."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from saas.plugin_api import InputError, _, db, permission_required, pipelines

bp = Blueprint("pipelines", __name__, template_folder="templates")
stages_bp = Blueprint("stages", __name__)
LANGUAGES = (("en", "English"), ("zh_Hans", "简体中文"), ("zh_Hant", "繁體中文"))


def _labels(form, prefix: str) -> dict:
    return {code: form.get(f"{prefix}_{code}", "") for code, _name in LANGUAGES}


def _pipeline_or_404(pipeline_id: int) -> pipelines.Pipeline:
    pipeline = pipelines.get_pipeline(pipeline_id)
    if pipeline is None or pipeline.object_key != "deal":
        abort(404)
    return pipeline


def _stage_or_404(stage_id: int) -> pipelines.Stage:
    stage = pipelines.get_stage(stage_id)
    if stage is None or stage.pipeline.object_key != "deal":
        abort(404)
    return stage


@bp.route("/", methods=["GET", "POST"])
@permission_required("settings.manage")
def index():
    errors, form = {}, None
    if request.method == "POST":
        form = request.form
        try:
            pipeline = pipelines.create_pipeline("deal", _labels(form, "name"))
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            errors = exc.fields or {"_form": exc.message}
        else:
            flash(_("Pipeline added with the usual stages; rename and reorder them below."), "success")
            return redirect(url_for(".show", pipeline_id=pipeline.id))
    return render_template("sales/pipelines.html", pipelines=pipelines.pipelines("deal"), label_languages=LANGUAGES,
                           errors=errors, form=form), 422 if errors else 200


def _page(pipeline, errors=None, form=None, stage_errors=None, status=200):
    return render_template("sales/pipeline.html", pipeline=pipeline, label_languages=LANGUAGES, errors=errors or {},
                           form=form, stage_errors=stage_errors or {}, outcomes=pipelines.OUTCOMES,
                           counts={s.id: pipelines.records_in_stage(s) for s in pipeline.stages}), status


@bp.route("/<int:pipeline_id>", methods=["GET", "POST"])
@permission_required("settings.manage")
def show(pipeline_id: int):
    pipeline = _pipeline_or_404(pipeline_id)
    if request.method == "POST":
        try:
            pipelines.rename_pipeline(pipeline, _labels(request.form, "name"))
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            return _page(pipeline, errors=exc.fields, form=request.form, status=422)
        flash(_("Saved."), "success")
        return redirect(url_for(".show", pipeline_id=pipeline.id))
    return _page(pipeline)


@bp.route("/<int:pipeline_id>/stages", methods=["POST"])
@permission_required("settings.manage")
def add_stage(pipeline_id: int):
    pipeline = _pipeline_or_404(pipeline_id)
    try:
        pipelines.add_stage(pipeline, _labels(request.form, "name"), request.form.get("probability", ""),
                            request.form.get("outcome", "open"))
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _page(pipeline, errors={f"new_{k}": v for k, v in exc.fields.items()}, form=request.form, status=422)
    flash(_("Stage added."), "success")
    return redirect(url_for(".show", pipeline_id=pipeline.id))


@bp.route("/<int:pipeline_id>/reorder", methods=["POST"])
@permission_required("settings.manage")
def reorder(pipeline_id: int):
    """The stages' new order after a drag (htmx) or from the form."""
    pipeline = _pipeline_or_404(pipeline_id)
    ids = [int(i) for i in request.form.getlist("stage_ids") if i.isdigit()]
    pipelines.reorder_stages(pipeline, ids)
    db.session.commit()
    if request.headers.get("HX-Request"):
        return "", 204
    return redirect(url_for(".show", pipeline_id=pipeline.id))


@bp.route("/stages/<int:stage_id>", methods=["POST"])
@permission_required("settings.manage")
def update_stage(stage_id: int):
    stage = _stage_or_404(stage_id)
    pipeline = stage.pipeline
    try:
        pipelines.update_stage(stage, _labels(request.form, "name"), request.form.get("probability", ""),
                               request.form.get("outcome", ""))
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _page(pipeline, stage_errors={stage_id: exc.fields}, form=request.form, status=422)
    flash(_("Stage saved."), "success")
    return redirect(url_for(".show", pipeline_id=pipeline.id))


@bp.route("/stages/<int:stage_id>/delete", methods=["POST"])
@permission_required("settings.manage")
def delete_stage(stage_id: int):
    stage = _stage_or_404(stage_id)
    pipeline_id = stage.pipeline_id
    try:
        pipelines.delete_stage(stage)
        db.session.commit()
        flash(_("Stage removed."), "success")
    except InputError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".show", pipeline_id=pipeline_id))


@permission_required("workspace.view")
def show_stage(stage_id: int):
    """A stage's link (from lists and the API) leads to its pipeline's board."""
    stage = _stage_or_404(stage_id)
    return redirect(url_for("sales.board", pipeline_id=stage.pipeline_id))


stages_bp.add_url_rule("/<int:stage_id>", endpoint="show", view_func=show_stage)
