"""Pages of imports, exports and duplicates. Routes parse, call a service, render."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request,
                   send_file, stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import field_map
from saas.metadata.i18n import pick
from saas.metadata.objects import object_type
from saas.modules.imports import duplicates, exports, files, importer, mapping, runs
from saas.modules.imports.forms import UploadForm
from saas.modules.imports.models import ImportRun
from saas.modules.imports.reading import ENCODINGS
from saas.modules.imports.settings import cleaning_for
from saas.tenants.context import current_tenant_id, tenant_context
from saas.tenants.forms import ConfirmForm, show_errors
from saas.tenants.request import is_htmx, permission_required
from saas.web.i18n import current_locale_code

bp = Blueprint("imports", __name__, template_folder="templates")


def _run_or_404(import_id: int) -> ImportRun:
    run = importer.get_run(import_id)
    if run is None:
        abort(404)
    return run


# --- imports -----------------------------------------------------------------------------------

@bp.route("/imports/", methods=["GET", "POST"])
@permission_required("records.edit")
def index():
    form = UploadForm()
    form.object_key.choices = [(spec.key, pick(spec.plural_labels)) for spec in runs.importable_objects()]
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            form.file.errors = [_("Choose a file to upload.")]
        else:
            try:
                run = runs.upload(upload.stream, upload.filename, form.object_key.data, current_user.id,
                                  form.encoding.data or None)
                db.session.commit()
                return redirect(url_for(".configure", import_id=run.id))
            except InputError as exc:
                db.session.rollback()
                show_errors(form, exc)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("imports/index.html", form=form, imports=runs.recent()), status


def _mapping_context(run: ImportRun, errors: dict | None = None) -> dict:
    try:
        preview, problem = runs.preview(run), None
    except InputError as exc:
        preview, problem = [], exc.message
    return {"run": run, "preview": preview, "file_problem": problem, "errors": errors or {},
            "fields": mapping.importable_fields(run.object_key), "match_fields": mapping.match_choices(run.object_key),
            "encodings": ENCODINGS, "object_label": pick(object_type(run.object_key).plural_labels)}


@bp.route("/imports/<int:import_id>/mapping", methods=["GET", "POST"])
@permission_required("records.edit")
def configure(import_id: int):
    run = _run_or_404(import_id)
    if run.status != "draft":
        return redirect(url_for(".status", import_id=run.id))
    if request.method == "POST":
        form = request.form
        try:
            if form.get("action") == "encoding":
                runs.change_encoding(run, form.get("encoding", ""))
                db.session.commit()
                return redirect(url_for(".configure", import_id=run.id))
            columns = [form.get(f"column_{i}") or None for i in range(len(run.headers))]
            runs.configure(run, columns, form.get("match_on") or None, form.get("on_duplicate", "skip"),
                           form.get("dry_run") == "1")
            runs.start(run)
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            run = _run_or_404(import_id)
            # Keep what the user chose, so the page shows their choices next to the errors.
            run.mapping = [form.get(f"column_{i}") or None for i in range(len(run.headers))]
            run.match_on, run.on_duplicate = form.get("match_on") or None, form.get("on_duplicate", "skip")
            run.dry_run = form.get("dry_run") == "1"
            context = _mapping_context(run, exc.fields or {"mapping": exc.message})
            db.session.rollback()
            return render_template("imports/mapping.html", **context), 422
        return redirect(url_for(".status", import_id=run.id))
    return render_template("imports/mapping.html", **_mapping_context(run))


@bp.route("/imports/<int:import_id>")
@permission_required("records.edit")
def status(import_id: int):
    run = _run_or_404(import_id)
    template = "imports/_progress.html" if is_htmx() else "imports/status.html"
    return render_template(template, run=run, failures=importer.failures(run, limit=20), confirm=ConfirmForm())


@bp.route("/imports/<int:import_id>/resume", methods=["POST"])
@permission_required("records.edit")
def resume(import_id: int):
    run = _run_or_404(import_id)
    if ConfirmForm().validate_on_submit():
        try:
            runs.start(run)
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    return redirect(url_for(".status", import_id=run.id))


@bp.route("/imports/<int:import_id>/run", methods=["POST"])
@permission_required("records.edit")
def run_for_real(import_id: int):
    run = _run_or_404(import_id)
    if not (run.dry_run and run.status == "done"):
        abort(409)
    copy = runs.again_as_real(run, current_user.id)
    db.session.commit()
    return redirect(url_for(".configure", import_id=copy.id))


@bp.route("/imports/<int:import_id>/failures.csv")
@permission_required("records.edit")
def failures_csv(import_id: int):
    run = _run_or_404(import_id)
    tenant_id = current_tenant_id()

    def generate():
        with tenant_context(tenant_id):
            yield from importer.failures_csv(run)

    return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="import-{run.id}-failed-rows.csv"'})


# --- exports -----------------------------------------------------------------------------------

def _export_params() -> dict:
    """Columns, filters and sort from a saved view (?view_id=) or the list page's own query."""
    args = request.args
    params = {"columns": [c for c in args.get("columns", "").split(",") if c] or None,
              "filters": args.getlist("filter"), "sort": args.get("sort") or None}
    view_id = args.get("view_id", type=int)
    if view_id:
        from sqlalchemy import select

        from saas.modules.core.models import SavedView

        view = db.session.scalar(select(SavedView).where(SavedView.id == view_id))
        if view is None:
            abort(404)
        params = {"columns": list(view.columns or []) or None, "filters": list(view.filters or []),
                  "sort": view.sort}
    return params


@bp.route("/exports/<object_key>.<file_format>")
@permission_required("workspace.view")
def export(object_key: str, file_format: str):
    spec = object_type(object_key)
    if spec is None or file_format not in exports.FORMATS:
        abort(404)
    params = _export_params()
    try:
        job = exports.Export(object_key, params["columns"], params["filters"], params["sort"])
        large = exports.is_large(job)
    except InputError as exc:
        return Response(exc.message, status=400, mimetype="text/plain")
    if large:
        run = exports.queue_export(object_key, file_format, params, current_user.id, current_locale_code())
        db.session.commit()
        return redirect(url_for(".export_status", export_id=run.id))
    filename = f"{spec.endpoint or object_key}.{file_format}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if file_format == "csv":
        tenant_id = current_tenant_id()

        def generate():
            with tenant_context(tenant_id):
                yield from exports.csv_chunks(job)

        return Response(stream_with_context(generate()), mimetype=exports.MIME["csv"], headers=disposition)
    path = files.path_of("exports", files.new_name(".xlsx"))
    exports.write_xlsx(job, path)
    response = send_file(path, mimetype=exports.MIME["xlsx"], as_attachment=True, download_name=filename)
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


def _export_or_404(export_id: int):
    run = exports.get_export(export_id)
    if run is None:
        abort(404)
    return run


@bp.route("/exports/<int:export_id>")
@permission_required("workspace.view")
def export_status(export_id: int):
    run = _export_or_404(export_id)
    template = "imports/_export_progress.html" if is_htmx() else "imports/export_status.html"
    return render_template(template, run=run)


@bp.route("/exports/<int:export_id>/download")
@permission_required("workspace.view")
def export_download(export_id: int):
    run = _export_or_404(export_id)
    if run.status != "done" or not run.stored_name:
        abort(404)
    path = files.path_of("exports", run.stored_name)
    if not path.exists():
        abort(404)
    spec = object_type(run.object_key)
    return send_file(path, mimetype=exports.MIME[run.file_format], as_attachment=True,
                     download_name=f"{spec.endpoint if spec else run.object_key}.{run.file_format}")


# --- duplicates --------------------------------------------------------------------------------

@bp.route("/duplicates")
@permission_required("records.edit")
def duplicate_list():
    pairs = duplicates.likely_duplicates(cleaning_for(g.workspace))
    return render_template("imports/duplicates.html", pairs=pairs)


@bp.route("/duplicates/<int:contact_id>/<int:duplicate_id>", methods=["GET", "POST"])
@permission_required("records.edit")
def merge(contact_id: int, duplicate_id: int):
    from saas.modules.core.records import get_record

    survivor, other = get_record("contact", contact_id), get_record("contact", duplicate_id)
    if survivor is None or other is None or survivor.id == other.id:
        abort(404)
    error = None
    if request.method == "POST":
        if ConfirmForm().validate_on_submit():
            take = [key[len("pick_"):] for key, value in request.form.items()
                    if key.startswith("pick_") and value == "other"]
            try:
                duplicates.merge(survivor.id, other.id, take, current_user.id)
                db.session.commit()
                flash(_("The two contacts are one now."), "success")
                return redirect(url_for(".duplicate_list"))
            except InputError as exc:
                db.session.rollback()
                error = exc.message
                survivor, other = get_record("contact", contact_id), get_record("contact", duplicate_id)
    return render_template("imports/merge.html", survivor=survivor, other=other, error=error,
                           rows=duplicates.differences(survivor, other), confirm=ConfirmForm(),
                           fields=field_map("contact")), 422 if error else 200
