"""The field studio: admins add, edit, reorder, hide and remove the fields of each object."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from saas.errors import InputError
from saas.extensions import db, htmx
from saas.metadata import changes, definitions
from saas.metadata.i18n import LANGUAGES
from saas.metadata.objects import object_types
from saas.metadata.types import FIELD_TYPES
from saas.tenants.request import permission_required

bp = Blueprint("studio", __name__)


def _object_key() -> str:
    key = request.args.get("object") or "contact"
    if key not in object_types():
        abort(404)
    return key


def _row_or_404(field_id: int):
    row = definitions.get_field_row(field_id)
    if row is None:
        abort(404)
    return row


def _settings_from(form) -> dict:
    return {
        "labels": {code: form.get(f"label_{code}", "") for code in LANGUAGES},
        "help_texts": {code: form.get(f"help_{code}", "") for code in LANGUAGES},
        "group": form.get("group", ""),
        "hidden": bool(form.get("hidden")),
        "filterable": bool(form.get("filterable")),
    }


def _page(object_key: str, form_values: dict | None = None, errors: dict | None = None, status: int = 200):
    rows = definitions.object_definition(object_key).fields
    live = [r for r in rows if r.removed_at is None]
    return render_template("core/studio.html", object_key=object_key, objects=object_types(), rows=live,
                           removing=[r for r in rows if r.removed_at is not None], types=FIELD_TYPES,
                           field_languages=LANGUAGES, form=form_values or {}, errors=errors or {},
                           label=definitions.object_label), status


@bp.route("/")
@permission_required("settings.manage")
def index():
    return _page(_object_key())


@bp.route("/new", methods=["POST"])
@permission_required("settings.manage")
def new():
    object_key = _object_key()
    form = request.form
    settings = _settings_from(form)
    try:
        row = definitions.add_field(
            object_key, labels=settings["labels"], type=form.get("type", ""), key=form.get("key"),
            options=form.get("options", ""), required=bool(form.get("required")), unique=bool(form.get("unique")),
            default=form.get("default") or None, help_texts=settings["help_texts"], group=settings["group"],
            hidden=settings["hidden"], filterable=settings["filterable"],
            reference_object=form.get("reference_object") or None)
        if row.filterable:
            changes.request_index(row)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        return _page(object_key, form.to_dict(), exc.fields or {"_form": exc.message}, 422)
    flash(_("Field “%(label)s” added.", label=row.label()), "success")
    return redirect(url_for(".index", object=object_key))


@bp.route("/<int:field_id>/edit", methods=["GET", "POST"])
@permission_required("settings.manage")
def edit(field_id: int):
    row = _row_or_404(field_id)
    object_key = definitions.object_key_of(row)
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        settings = _settings_from(form)
        was_filterable = row.filterable
        try:
            definitions.update_field(
                row, labels=settings["labels"], help_texts=settings["help_texts"], group=settings["group"],
                hidden=settings["hidden"], filterable=settings["filterable"],
                options=form.get("options") if not row.is_system else None,
                required=bool(form.get("required")), unique=bool(form.get("unique")),
                default=form.get("default") or None)
            if row.filterable and not was_filterable:
                changes.request_index(row)
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            errors = exc.fields or {"_form": exc.message}
        else:
            flash(_("Field “%(label)s” saved.", label=row.label()), "success")
            return redirect(url_for(".index", object=object_key))
    return render_template("core/studio_field.html", row=row, object_key=object_key, types=FIELD_TYPES,
                           field_languages=LANGUAGES, errors=errors, form=request.form if errors else None,
                           objects=object_types(), check=None), 422 if errors else 200


@bp.route("/<int:field_id>/type", methods=["POST"])
@permission_required("settings.manage")
def change_type(field_id: int):
    """Count first: the answer says how many values would not convert; a second post confirms."""
    row = _row_or_404(field_id)
    object_key = definitions.object_key_of(row)
    new_type = request.form.get("type", "")
    options = request.form.get("options")
    confirmed = request.form.get("confirmed_loss", type=int)
    check, errors = None, {}
    try:
        if confirmed is None and new_type in FIELD_TYPES and not row.is_system:
            parsed = definitions.parse_options(options) if options is not None else None
            bad, total = changes.count_unconvertible(row, new_type, parsed)
            if bad:
                check = {"type": new_type, "bad": bad, "total": total, "options": options or ""}
        if check is None:
            lost = changes.change_type(row, new_type, options, confirmed_loss=confirmed)
            db.session.commit()
            flash(_("The type of “%(label)s” is now %(type)s.", label=row.label(), type=FIELD_TYPES[new_type].label)
                  + (" " + _("%(num)d values were dropped.", num=lost) if lost else ""), "success")
            return redirect(url_for(".index", object=object_key))
    except InputError as exc:
        db.session.rollback()
        errors = exc.fields or {"_form": exc.message}
    return render_template("core/studio_field.html", row=row, object_key=object_key, types=FIELD_TYPES,
                           field_languages=LANGUAGES, errors=errors, form=None, objects=object_types(),
                           check=check), 422 if errors else 200


@bp.route("/<int:field_id>/visibility", methods=["POST"])
@permission_required("settings.manage")
def toggle_hidden(field_id: int):
    row = _row_or_404(field_id)
    object_key = definitions.object_key_of(row)
    try:
        definitions.update_field(row, hidden=not row.hidden)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".index", object=object_key))


@bp.route("/<int:field_id>/remove", methods=["POST"])
@permission_required("settings.manage")
def remove(field_id: int):
    row = _row_or_404(field_id)
    object_key = definitions.object_key_of(row)
    label = row.label()
    try:
        changes.remove_field(row)
        db.session.commit()
        flash(_("Field “%(label)s” removed; its values are being deleted in the background.", label=label), "success")
    except InputError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for(".index", object=object_key))


@bp.route("/reorder", methods=["POST"])
@permission_required("settings.manage")
def reorder():
    object_key = _object_key()
    ids = [int(i) for i in request.form.getlist("order") if i.isdigit()]
    definitions.reorder(object_key, ids)
    db.session.commit()
    if htmx:
        return "", 204
    return redirect(url_for(".index", object=object_key))
