"""Sign up, log in and out, password reset, accepting an invitation."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from saas.errors import InputError
from saas.extensions import db, limiter
from saas.tenants import accounts, invitations
from saas.tenants.context import tenant_context
from saas.tenants.forms import (AcceptForm, ForgotPasswordForm, JoinForm, LoginForm, ResetPasswordForm,
                                SignupForm, show_errors)
from saas.tenants.models import Membership
from saas.tenants.workspaces import memberships_of
from saas.web.i18n import current_locale_code

bp = Blueprint("auth", __name__)


def _home_after_login():
    target = request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("switcher.home"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user, workspace = accounts.sign_up(form.email.data, form.name.data, form.password.data,
                                               form.workspace_name.data, locale=current_locale_code())
        except InputError as exc:
            show_errors(form, exc)
        else:
            login_user(user)
            flash(_("Welcome to Orchard! Your workspace %(name)s is ready.", name=workspace.name), "success")
            return redirect(url_for("workspace.home", workspace_slug=workspace.slug))
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_key() -> str:
    # Per address and per account, so one attacker cannot lock everyone out and
    # one account cannot be guessed from many addresses.
    email = (request.form.get("email") or "").strip().lower()
    return f"login:{request.remote_addr}:{email}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, key_func=_login_key, methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return _home_after_login()
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("The e-mail or the password is wrong."))
        else:
            login_user(user, remember=form.remember.data)
            if user.locale:
                session["locale"] = user.locale
            return _home_after_login()
    return render_template("auth/login.html", form=form), 401 if form.form_errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.send_password_reset(form.email.data)
        flash(_("If an account exists for %(email)s, a reset link is on its way.", email=form.email.data), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        accounts.user_for_reset_token(token)
    except InputError as exc:
        return render_template("auth/link_problem.html", message=exc.message,
                               retry_url=url_for("auth.forgot_password")), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.password.data)
        except InputError as exc:
            show_errors(form, exc)
        else:
            login_user(user)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("switcher.home"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    tenant_id = invitations.workspace_of_token(token)
    try:
        if tenant_id is None:
            raise InputError(message=_("This invitation link is not valid."), status=404)
        with tenant_context(tenant_id):
            workspace, invitation = invitations.open_invitation(token)
            email, role = invitation.email, invitation.role
    except InputError as exc:
        return render_template("auth/link_problem.html", message=exc.message), exc.status
    existing = accounts.user_by_email(email)
    form = AcceptForm() if current_user.is_authenticated else JoinForm()
    if form.validate_on_submit():
        try:
            if current_user.is_authenticated:
                user = current_user._get_current_object()
            elif existing is not None:
                return redirect(url_for("auth.login", next=request.path))
            else:
                user = accounts.create_user(email, form.name.data, form.password.data, current_locale_code())
                db.session.flush()
            workspace = invitations.accept(token, user)
        except InputError as exc:
            db.session.rollback()
            show_errors(form, exc)
        else:
            login_user(user)
            flash(_("You joined %(name)s.", name=workspace.name), "success")
            return redirect(url_for("workspace.home", workspace_slug=workspace.slug))
    return render_template("auth/accept.html", form=form, workspace=workspace, email=email, role=role,
                           existing=existing), 422 if form.errors else 200
