"""Workspace settings: general, members and invitations, API tokens."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.tenants import api_tokens, invitations, workspaces
from saas.tenants.forms import ConfirmForm, InviteForm, RoleForm, TokenForm, WorkspaceForm, show_errors
from saas.tenants.models import ApiToken, Invitation
from saas.tenants.request import permission_required, require
from saas.tenants.roles import ROLE_LABELS, ROLES, assignable_roles

bp = Blueprint("settings", __name__)


def _role_choices():
    return [(r, ROLE_LABELS[r]) for r in assignable_roles(g.membership.role)]


def _get_or_404(model, record_id: int):
    # Tenant scoping filters by workspace: another workspace's id is simply not found.
    record = db.session.scalar(select(model).where(model.id == record_id))
    if record is None:
        abort(404)
    return record


@bp.route("/", methods=["GET", "POST"])
@permission_required("settings.manage")
def general():
    form = WorkspaceForm(obj=g.workspace)
    if form.validate_on_submit():
        g.workspace.name = form.name.data.strip()
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for(".general"))
    return render_template("tenants/settings_general.html", form=form), 422 if form.errors else 200


@bp.route("/members", methods=["GET", "POST"])
@permission_required("workspace.view")
def members():
    form = InviteForm()
    form.role.choices = _role_choices()
    if form.is_submitted():
        require("members.manage")
        if form.validate():
            try:
                invitation = invitations.invite(g.membership, form.email.data, form.role.data)
            except InputError as exc:
                db.session.rollback()
                show_errors(form, exc)
            else:
                flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
                return redirect(url_for(".members"))
    return render_template(
        "tenants/members.html", form=form, members=workspaces.members(g.workspace),
        invitations=invitations.pending_invitations(), role_labels=ROLE_LABELS, roles=ROLES,
        assignable=assignable_roles(g.membership.role), confirm=ConfirmForm(),
    ), 422 if form.errors else 200


def _member_or_404(membership_id: int):
    member = workspaces.get_member(g.workspace, membership_id)
    if member is None:
        abort(404)
    return member


@bp.route("/members/<int:membership_id>/role", methods=["POST"])
@permission_required("members.manage")
def change_role(membership_id: int):
    member = _member_or_404(membership_id)
    form = RoleForm()
    form.role.choices = [(r, ROLE_LABELS[r]) for r in ROLES]
    if form.validate_on_submit():
        try:
            workspaces.change_role(g.membership, member, form.role.data)
            db.session.commit()
            flash(_("%(name)s is now %(role)s.", name=member.user.name, role=ROLE_LABELS[member.role]), "success")
        except InputError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    return redirect(url_for(".members"))


@bp.route("/members/<int:membership_id>/remove", methods=["POST"])
@permission_required("members.manage")
def remove_member(membership_id: int):
    member = _member_or_404(membership_id)
    if ConfirmForm().validate_on_submit():
        try:
            name = member.user.name
            workspaces.remove_member(g.membership, member)
            db.session.commit()
            flash(_("%(name)s was removed from the workspace.", name=name), "success")
        except InputError as exc:
            db.session.rollback()
            flash(exc.message, "error")
    return redirect(url_for(".members"))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@permission_required("members.manage")
def revoke_invitation(invitation_id: int):
    invitation = _get_or_404(Invitation, invitation_id)
    if ConfirmForm().validate_on_submit():
        invitations.revoke(invitation)
        flash(_("The invitation to %(email)s was withdrawn.", email=invitation.email), "success")
    return redirect(url_for(".members"))


def _token_form(blank: bool = False) -> TokenForm:
    form = TokenForm(formdata=None) if blank else TokenForm()
    form.scopes.choices = list(api_tokens.SCOPES.items())
    if blank or not form.is_submitted():
        form.scopes.data = api_tokens.DEFAULT_SCOPES
    return form


@bp.route("/api-tokens", methods=["GET", "POST"])
@permission_required("tokens.manage")
def tokens():
    form = _token_form()
    clear = None
    if form.validate_on_submit():
        try:
            _token, clear = api_tokens.create_token(g.workspace.id, form.name.data, form.scopes.data,
                                                    g.membership.user_id)
        except InputError as exc:
            show_errors(form, exc)
        else:
            form = _token_form(blank=True)
    return render_template("tenants/tokens.html", form=form, tokens=api_tokens.tokens(), clear_token=clear,
                           scope_labels=api_tokens.SCOPES, confirm=ConfirmForm()), 422 if form.errors else 200


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@permission_required("tokens.manage")
def revoke_token(token_id: int):
    token = _get_or_404(ApiToken, token_id)
    if ConfirmForm().validate_on_submit():
        api_tokens.revoke(token)
        flash(_("The token %(name)s is revoked.", name=token.name), "success")
    return redirect(url_for(".tokens"))
