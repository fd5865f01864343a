"""Isolation-walk factories for the tenants package (see tests/isolation.py)."""
from saas.extensions import db
from saas.tenants import api_tokens, invitations
from saas.tenants.models import ApiToken, Invitation, Membership
from saas.tenants.workspaces import membership_of
from tests import factories


def _state(model, record_id):
    def snapshot():
        db.session.expire_all()
        row = db.session.get(model, record_id)
        return None if row is None else {c.key: getattr(row, c.key) for c in model.__table__.columns}
    return snapshot


def membership(tenant):
    user = factories.member(tenant, f"teammate{tenant.id}@example.com", role="member")
    row = membership_of(user, tenant.workspace)
    return row.id, _state(Membership, row.id)


def invitation(tenant):
    owner = membership_of(tenant.owner, tenant.workspace)
    row = invitations.invite(owner, f"invitee{tenant.id}@example.com", "member")
    return row.id, _state(Invitation, row.id)


def api_token(tenant):
    row, _clear = api_tokens.create_token(tenant.id, "ERP sync", None, tenant.owner.id)
    return row.id, _state(ApiToken, row.id)


RECORD_FACTORIES = {
    "membership_id": membership,
    "invitation_id": invitation,
    "token_id": api_token,
}
