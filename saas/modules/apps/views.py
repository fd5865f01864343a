"""The admin "Apps" page: installed plugins with their manifest, per-workspace on/off and settings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from saas.errors import InputError
from saas.extensions import db
from saas.modules.apps import services
from saas.modules.apps.settings_form import posted_values, settings_form
from saas.plugins import platform
from saas.tenants.forms import ConfirmForm, show_errors
from saas.tenants.request import permission_required

bp = Blueprint("apps", __name__, template_folder="templates")


@bp.route("/")
@permission_required("settings.manage")
def index():
    apps, broken = services.apps(g.workspace)
    return render_template("apps/index.html", apps=apps, broken=broken, confirm=ConfirmForm())


def _change(action, name: str, done_message: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(g.workspace, name, g.membership.user_id)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        if exc.code == "not_found":
            abort(404)
        flash(exc.message, "error")
    else:
        platform().clear_error(g.workspace.id, name)
        flash(done_message, "success")
    return redirect(url_for(".index"))


@bp.route("/<plugin_name>/enable", methods=["POST"])
@permission_required("settings.manage")
def enable(plugin_name: str):
    info = services.get_plugin(plugin_name) or abort(404)
    return _change(services.enable, plugin_name, _("%(app)s is on.", app=info.manifest.title))


@bp.route("/<plugin_name>/disable", methods=["POST"])
@permission_required("settings.manage")
def disable(plugin_name: str):
    info = services.get_plugin(plugin_name) or abort(404)
    return _change(services.disable, plugin_name,
                   _("%(app)s is off. Its data is kept for when you turn it on again.", app=info.manifest.title))


@bp.route("/<plugin_name>/settings", methods=["GET", "POST"])
@permission_required("settings.manage")
def settings(plugin_name: str):
    info = services.get_plugin(plugin_name)
    if info is None or info.manifest.settings is None or plugin_name not in services.enabled_plugin_names(g.workspace):
        abort(404)
    schema_class = info.manifest.settings
    if request.method == "POST":
        form = settings_form(schema_class, {}, formdata=request.form)
        if form.validate():
            try:
                services.save_settings(g.workspace, plugin_name, posted_values(schema_class, request.form),
                                       g.membership.user_id)
                db.session.commit()
            except InputError as exc:
                db.session.rollback()
                show_errors(form, exc)
            else:
                flash(_("Settings of %(app)s saved.", app=info.manifest.title), "success")
                return redirect(url_for(".settings", plugin_name=plugin_name))
    else:
        form = settings_form(schema_class, services.settings_of(g.workspace, plugin_name))
    return render_template("apps/settings.html", app=info, form=form), 422 if form.errors else 200
