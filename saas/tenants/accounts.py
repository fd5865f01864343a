"""Accounts: sign-up, log-in checks and password reset by e-mailed link."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.mail import send_mail
from saas.web.urls import external_url
from saas.tenants.models import User, Workspace
from saas.tenants.passwords import hash_password, password_problem, verify_password
from saas.tenants.workspaces import create_workspace


def normalise_email(email: str, field: str = "email") -> str:
    """The e-mail address in canonical form, or an InputError on `field`."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InputError({field: _("Enter a valid e-mail address.")}) from None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(email: str, name: str, password: str, locale: str | None = None) -> User:
    """A new user (added to the session, not committed)."""
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
    except InputError as exc:
        errors.update(exc.fields)
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Tell us your name.")
    problem = password_problem(password or "", email)
    if problem:
        errors["password"] = problem
    if "email" not in errors and user_by_email(email):
        errors["email"] = _("An account with this e-mail already exists. Log in instead.")
    if errors:
        raise InputError(errors)
    user = User(email=email, name=name[:120], password_hash=hash_password(password), locale=locale)
    db.session.add(user)
    return user


def sign_up(email: str, name: str, password: str, workspace_name: str,
            locale: str | None = None) -> tuple[User, Workspace]:
    """Create the user and their workspace, the user as owner: all or nothing."""
    try:
        errors: dict[str, str] = {}
        try:
            user = create_user(email, name, password, locale)
        except InputError as exc:
            errors.update(exc.fields)
            user = None
        if not (workspace_name or "").strip():
            errors["workspace_name"] = _("Give your workspace a name.")
        if errors:
            raise InputError(errors)
        workspace = create_workspace(workspace_name, user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return user, workspace


def authenticate(email: str, password: str) -> User | None:
    """The user whose e-mail and password match, else None (same answer for either mistake)."""
    user = user_by_email(email or "")
    if user is None:
        # Spend the same time as a real check, so timing does not reveal which e-mails exist.
        verify_password(hash_password("not-a-password"), password or "")
        return None
    return user if verify_password(user.password_hash, password or "") else None


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user: User) -> str:
    # The end of the current hash goes in: once the password changes the link stops working.
    return _reset_serializer().dumps({"u": user.id, "p": user.password_hash[-16:]})


def send_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way to the requester."""
    user = user_by_email(email or "")
    if user is None:
        return
    link = external_url("auth.reset_password", token=reset_token(user))
    hours = current_app.config["PASSWORD_RESET_MAX_AGE_HOURS"]
    send_mail(
        to=user.email,
        subject=_("Reset your Orchard password"),
        body=_("Hello %(name)s,\n\nOpen this link to choose a new password:\n%(link)s\n\n"
               "The link works once, for %(hours)d hours. If you did not ask for it, ignore this mail.",
               name=user.name, link=link, hours=hours),
    )
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for; InputError when it is expired, used or broken."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE_HOURS"] * 3600
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise InputError(message=_("This reset link has expired. Ask for a new one."), code="expired") from None
    except BadSignature:
        raise InputError(message=_("This reset link is not valid. Ask for a new one."), code="invalid") from None
    user = db.session.get(User, data.get("u"))
    if user is None or user.password_hash[-16:] != data.get("p"):
        raise InputError(message=_("This reset link has already been used. Ask for a new one."), code="used")
    return user


def reset_password(token: str, password: str) -> User:
    user = user_for_reset_token(token)
    problem = password_problem(password or "", user.email)
    if problem:
        raise InputError({"password": problem})
    user.password_hash = hash_password(password)
    db.session.commit()
    return user
