"""Inviting teammates by e-mailed link, and accepting the invitation."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.mail import send_mail
from saas.modules.billing.limits import require_capacity
from saas.web.urls import external_url
from saas.tenants.accounts import normalise_email
from saas.tenants.context import tenant_context
from saas.tenants.models import Invitation, Membership, User, Workspace, utcnow
from saas.tenants.roles import ROLE_LABELS, assignable_roles
from saas.tenants.tokens import new_tenant_token, parse_tenant_token
from saas.tenants.workspaces import membership_of

TOKEN_PREFIX = "inv"


def invite(actor: Membership, email: str, role: str) -> Invitation:
    """Create an invitation in the actor's workspace and mail its link."""
    email = normalise_email(email)
    if role not in assignable_roles(actor.role):
        raise InputError({"role": _("Choose a role you are allowed to give.")})
    workspace = actor.workspace
    existing_user = db.session.scalar(select(User).where(User.email == email))
    if existing_user and membership_of(existing_user, workspace):
        raise InputError({"email": _("%(email)s is already a member.", email=email)})
    # A new invitation replaces a pending one for the same address.
    for old in db.session.scalars(select(Invitation).where(
            Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))):
        old.revoked_at = utcnow()
    require_capacity("seats")  # the plan's seats: members plus pending invitations
    token, token_hash = new_tenant_token(TOKEN_PREFIX, workspace.id)
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    invitation = Invitation(email=email, role=role, token_hash=token_hash, invited_by_id=actor.user_id,
                            expires_at=utcnow() + timedelta(days=days))
    db.session.add(invitation)
    link = external_url("auth.accept_invitation", token=token)
    send_mail(
        to=email,
        subject=_("%(name)s invites you to %(workspace)s on Orchard", name=actor.user.name, workspace=workspace.name),
        body=_("%(name)s invites you to join the workspace %(workspace)s on Orchard as %(role)s.\n\n"
               "Accept the invitation here:\n%(link)s\n\nThe link works once, for %(days)d days.",
               name=actor.user.name, workspace=workspace.name, role=ROLE_LABELS[role], link=link, days=days),
        tenant_id=workspace.id,
    )
    db.session.commit()
    return invitation


def pending_invitations() -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation).where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())
    ))


def revoke(invitation: Invitation) -> None:
    invitation.revoked_at = utcnow()
    db.session.commit()


def _aware(moment):
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def open_invitation(token: str) -> tuple[Workspace, Invitation]:
    """The workspace and invitation behind a link; InputError when expired, used or unknown.

    The caller must be inside tenant_context(workspace.id) to use the invitation afterwards:
    use `with invitation_context(token) as (workspace, invitation):`.
    """
    parsed = parse_tenant_token(TOKEN_PREFIX, token)
    workspace = db.session.get(Workspace, parsed[0]) if parsed else None
    if workspace is None:
        raise InputError(message=_("This invitation link is not valid."), code="invalid", status=404)
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == parsed[1]))
    if invitation is None:
        raise InputError(message=_("This invitation link is not valid."), code="invalid", status=404)
    if invitation.accepted_at is not None:
        raise InputError(message=_("This invitation has already been used."), code="used", status=410)
    if invitation.revoked_at is not None:
        raise InputError(message=_("This invitation was withdrawn. Ask for a new one."), code="revoked", status=410)
    if _aware(invitation.expires_at) < utcnow():
        raise InputError(message=_("This invitation has expired. Ask for a new one."), code="expired", status=410)
    return workspace, invitation


def workspace_of_token(token: str) -> int | None:
    parsed = parse_tenant_token(TOKEN_PREFIX, token)
    return parsed[0] if parsed else None


def accept(token: str, user: User) -> Workspace:
    """Join the invitation's workspace as `user`, once."""
    tenant_id = workspace_of_token(token)
    if tenant_id is None:
        raise InputError(message=_("This invitation link is not valid."), code="invalid", status=404)
    with tenant_context(tenant_id):
        workspace, invitation = open_invitation(token)
        if membership_of(user, workspace) is None:
            require_capacity("seats", adding=0)  # this invitation already holds its seat
            db.session.add(Membership(tenant_id=workspace.id, user_id=user.id, role=invitation.role))
        invitation.accepted_at = utcnow()
        db.session.commit()
    return workspace
