"""The entry page, the workspace switcher and creating another workspace."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from saas.errors import InputError
from saas.extensions import db
from saas.tenants.forms import WorkspaceForm, show_errors
from saas.tenants.workspaces import create_workspace, memberships_of

bp = Blueprint("switcher", __name__)


@bp.route("/")
def home():
    """Logged-in users go to their first workspace; others to the log-in page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    memberships = memberships_of(current_user)
    if len(memberships) == 1:
        return redirect(url_for("workspace.home", workspace_slug=memberships[0].workspace.slug))
    return redirect(url_for("switcher.workspaces"))


@bp.route("/workspaces")
@login_required
def workspaces():
    return render_template("tenants/workspaces.html", memberships=memberships_of(current_user))


@bp.route("/workspaces/new", methods=["GET", "POST"])
@login_required
def new_workspace():
    form = WorkspaceForm()
    if form.validate_on_submit():
        try:
            workspace = create_workspace(form.name.data, current_user._get_current_object())
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            exc.fields = {"name": v for v in exc.fields.values()}
            show_errors(form, exc)
        else:
            flash(_("Workspace %(name)s created.", name=workspace.name), "success")
            return redirect(url_for("workspace.home", workspace_slug=workspace.slug))
    return render_template("tenants/new_workspace.html", form=form), 422 if form.errors else 200
