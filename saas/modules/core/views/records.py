"""Record lists and record pages, one blueprint per object (contacts, companies, orders, activities)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from saas.errors import InputError
from saas.extensions import db, htmx
from saas.metadata.definitions import field_map, object_label, visible_fields
from saas.metadata.objects import ObjectType
from saas.metadata.query import build_query, count, page
from saas.metadata.types import OPERATORS
from saas.modules.core import listing, records, timeline
from saas.modules.core.display import reference_labels_for
from saas.plugins import hooks
from saas.tenants.request import can, permission_required, require

PAGE_SIZE = 50
# The list's heading counts matching records up to this many, then says "5,000+": exact for
# the lists of most workspaces, while an exact count of a million-row list would cost more than
# the page itself.
COUNT_UP_TO = 5_000


def _panels(object_key: str, record) -> list:
    """The panels the workspace's plugins add to a record page (the record_panels hook)."""
    answers = hooks(workspace=g.workspace).record_panels(object_key=object_key, record=record)
    return [fragment for fragments in answers for fragment in fragments or []]


def make_blueprint(spec: ObjectType) -> Blueprint:
    """The list, record page, inline edit, bulk actions and saved views of one object."""
    bp = Blueprint(spec.endpoint, __name__)
    object_key = spec.key
    id_arg = f"{object_key}_id"

    def context(**extra):
        return {"spec": spec, "object_key": object_key, "id_arg": id_arg,
                "label": object_label(object_key), "plural": object_label(object_key, plural=True),
                "operators": OPERATORS, **extra}

    def record_or_404(record_id: int):
        record = records.get_record(object_key, record_id)
        if record is None:
            abort(404)
        return record

    @bp.route("/")
    @permission_required("workspace.view")
    def index():
        user_id = g.membership.user_id
        state = listing.state_from_args(object_key, request.args, user_id)
        error, result, total = None, None, 0
        try:
            q = build_query(object_key, state.filters, state.sort, state.columns)
            result = page(q, PAGE_SIZE, request.args.get("cursor"))
            if not request.args.get("cursor"):
                total = count(q, up_to=COUNT_UP_TO)
        except InputError as exc:
            db.session.rollback()
            error = exc
        fields = field_map(object_key)
        columns = [fields[k] for k in state.columns]
        refs = reference_labels_for(columns, result.rows if result else [])
        args = state.query_args()
        if state.view is not None and not any(k in request.args for k in ("columns", "ff", "sort")):
            args.add("view", state.view.id)
        ctx = context(state=state, result=result, total=total, count_up_to=COUNT_UP_TO, error=error,
                      columns=columns, refs=refs,
                      args=args, all_fields=visible_fields(object_key),
                      views=listing.visible_views(object_key, user_id))
        if htmx and request.args.get("cursor") and result is not None:
            return render_template("core/_rows.html", **ctx)
        return render_template("core/list.html", **ctx), 400 if error else 200

    @bp.route("/new", methods=["GET", "POST"])
    @permission_required("records.edit")
    def new():
        fields = [f for f in visible_fields(object_key) if f.editable]
        values, errors = {f.key: f.default for f in fields}, {}
        for key in (request.args if request.method == "GET" else {}):
            if key in values:
                values[key] = request.args.get(key)
        if request.method == "POST":
            data = listing.form_values(fields, request.form)
            values.update(data)
            try:
                record = records.create_record(object_key, data, user_id=g.membership.user_id)
                db.session.commit()
            except InputError as exc:
                db.session.rollback()
                errors = exc.fields or {"_form": exc.message}
            else:
                flash(_("%(object)s created.", object=object_label(object_key)), "success")
                return redirect(url_for(".show", **{id_arg: record.id}))
        return render_template("core/form.html", **context(fields=fields, values=values, errors=errors,
                                                             record=None, refs={})), 422 if errors else 200

    @bp.route(f"/<int:{id_arg}>")
    @permission_required("workspace.view")
    def show(**kwargs):
        record = record_or_404(kwargs[id_arg])
        fields = visible_fields(object_key)
        values = records.record_values(object_key, record)
        groups: dict[str, list] = {}
        for f in fields:
            groups.setdefault(f.group or "", []).append(f)
        return render_template(
            "core/show.html", **context(
                record=record, title=records.title_of(object_key, record), groups=groups, values=values,
                refs=reference_labels_for(fields, [values]), history=timeline.history_entries(object_key, record.id),
                related=timeline.related(object_key, record), activities=timeline.activities_of(object_key, record),
                activity_kinds=timeline.kind_choices(), panels=_panels(object_key, record)))

    @bp.route(f"/<int:{id_arg}>/edit", methods=["GET", "POST"])
    @permission_required("workspace.view")
    def edit(**kwargs):
        record = record_or_404(kwargs[id_arg])
        fields_by_key = field_map(object_key)
        one = request.values.get("field")
        if one is not None and (one not in fields_by_key or not fields_by_key[one].editable):
            abort(404)
        if not (one and request.args.get("cancel") is not None):   # cancelling an edit only reads
            require("records.edit")
        if one:
            return _edit_one(record, fields_by_key[one])
        fields = [f for f in visible_fields(object_key) if f.editable]
        values, errors = records.record_values(object_key, record), {}
        if request.method == "POST":
            data = listing.form_values(fields, request.form)
            values.update(data)
            try:
                records.update_record(object_key, record, data, user_id=g.membership.user_id)
                db.session.commit()
            except InputError as exc:
                db.session.rollback()
                errors = exc.fields or {"_form": exc.message}
            else:
                flash(_("Saved."), "success")
                return redirect(url_for(".show", **{id_arg: record.id}))
        return render_template("core/form.html", **context(fields=fields, values=values, errors=errors,
                                                             record=record, refs={})), 422 if errors else 200

    def _edit_one(record, f):
        values = records.record_values(object_key, record)
        error = None
        editing = request.method == "GET" and request.args.get("cancel") is None
        if request.method == "POST":
            data = listing.form_values([f], request.form)
            try:
                records.update_record(object_key, record, data, user_id=g.membership.user_id)
                db.session.commit()
                values = records.record_values(object_key, record)
            except InputError as exc:
                db.session.rollback()
                error = exc.fields.get(f.key) or exc.message
                values[f.key] = data.get(f.key)
                editing = True
        ctx = context(record=record, f=f, values=values, error=error, editing=editing,
                      refs=reference_labels_for([f], [values]))
        if not htmx:
            if error:
                return render_template("core/field_page.html", **ctx), 422
            return redirect(url_for(".show", **{id_arg: record.id}))
        # htmx swaps only 2xx answers: the error travels in the fragment, next to the field.
        return render_template("core/_field.html", **ctx)

    @bp.route(f"/<int:{id_arg}>/delete", methods=["POST"])
    @permission_required("records.edit")
    def delete(**kwargs):
        record = record_or_404(kwargs[id_arg])
        title = records.title_of(object_key, record)
        records.delete_records(object_key, [record.id])
        db.session.commit()
        flash(_("%(title)s was deleted.", title=title), "success")
        return redirect(url_for(".index"))

    @bp.route(f"/<int:{id_arg}>/activities", methods=["POST"])
    @permission_required("records.edit")
    def add_activity(**kwargs):
        record = record_or_404(kwargs[id_arg])
        try:
            timeline.add_activity(object_key, record, request.form, g.membership.user_id)
            db.session.commit()
            flash(_("Added to the timeline."), "success")
        except InputError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        return redirect(url_for(".show", **{id_arg: record.id}) + "#timeline")

    @bp.route("/bulk", methods=["POST"])
    @permission_required("records.edit")
    def bulk():
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
        action = request.form.get("action")
        back = request.form.get("back") or url_for(".index")
        if not back.startswith("/"):
            back = url_for(".index")
        if not ids:
            flash(_("Tick the records first."), "warning")
            return redirect(back)
        editable = [f for f in visible_fields(object_key) if f.editable]
        bulk_field = next((f for f in editable if f.key == request.form.get("field")), None)
        if action not in ("delete", "edit") or (action == "edit" and bulk_field is None):
            flash(_("Choose what to do with the ticked records."), "warning")
            return redirect(back)
        if request.form.get("confirmed") != "yes":
            return render_template("core/bulk_confirm.html", **context(
                ids=ids, action=action, bulk_field=bulk_field, back=back, form=request.form,
                count_message=ngettext("%(num)d record", "%(num)d records", len(ids))))
        try:
            if action == "delete":
                done = records.delete_records(object_key, ids)
                message = ngettext("%(num)d record deleted.", "%(num)d records deleted.", done)
            else:
                data = listing.form_values([bulk_field], request.form)
                done = records.bulk_update(object_key, ids, data, user_id=g.membership.user_id)
                message = ngettext("%(num)d record changed.", "%(num)d records changed.", done)
            db.session.commit()
            flash(message, "success")
        except InputError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        return redirect(back)

    @bp.route("/views", methods=["POST"])
    @permission_required("workspace.view")
    def save_view():
        state = listing.state_from_args(object_key, request.form, g.membership.user_id)
        state.view = None
        shared = bool(request.form.get("shared")) and can("records.edit")
        try:
            view = listing.save_view(object_key, request.form.get("name", ""), state, g.membership.user_id, shared)
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for(".index", **state.query_args().to_dict(flat=False)))
        flash(_("View “%(name)s” saved.", name=view.name), "success")
        return redirect(url_for(".index", view=view.id))

    @bp.route("/views/<int:view_id>/delete", methods=["POST"])
    @permission_required("workspace.view")
    def delete_view(view_id: int):
        view = listing.saved_view(object_key, view_id, g.membership.user_id)
        if view is None:
            abort(404)
        try:
            listing.delete_view(view, g.membership.user_id, can("settings.manage"))
            db.session.commit()
            flash(_("The view was deleted."), "success")
        except InputError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        return redirect(url_for(".index"))

    return bp
