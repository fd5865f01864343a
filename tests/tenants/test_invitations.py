"""Inviting teammates, accepting, and every broken link."""
from datetime import timedelta

from sqlalchemy import select

from saas.extensions import db
from saas.mail import OutboxMessage
from saas.tenants.context import tenant_context
from saas.tenants.models import Invitation, Membership, User
from saas.tenants.workspaces import membership_of
from tests import factories
from tests.conftest import login


def _invite(client, tenant, email="new@example.com", role="member"):
    return client.post(f"/w/{tenant.slug}/settings/members", data={"email": email, "role": role})


def _link(email):
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == email)
                              .order_by(OutboxMessage.id.desc())).first()
    return next(w for w in mail.body.split() if "/invitations/" in w).replace("http://localhost", "")


def test_invite_and_accept_as_a_new_user(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    assert _invite(client, a, role="admin").status_code == 302
    link = _link("new@example.com")
    client.post("/logout")
    page = client.get(link)
    assert page.status_code == 200 and "Alpha Trading" in page.get_data(as_text=True)
    weak = client.post(link, data={"name": "New Person", "password": "short"})
    assert weak.status_code == 422
    assert db.session.scalar(select(User).where(User.email == "new@example.com")) is None
    joined = client.post(link, data={"name": "New Person", "password": "fresh-Start-77"})
    assert joined.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert membership_of(user, a.workspace).role == "admin"
    # The link works once.
    again = client.get(link)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_an_existing_user_accepts_into_a_second_workspace_and_switches(client, two_workspaces):
    a, b = two_workspaces
    login(client, a.owner.email)
    _invite(client, a, email=b.owner.email)
    link = _link(b.owner.email)
    client.post("/logout")
    login(client, b.owner.email)
    assert client.post(link).status_code == 302
    assert client.get(f"/w/{a.slug}/").status_code == 200
    assert client.get(f"/w/{b.slug}/").status_code == 200
    switcher = client.get("/workspaces").get_data(as_text=True)
    assert "Alpha Trading" in switcher and "Beta Foods" in switcher


def test_expired_and_withdrawn_invitations(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    _invite(client, a, email="late@example.com")
    link = _link("late@example.com")
    with tenant_context(a.id):
        invitation = db.session.scalar(select(Invitation))
        invitation.expires_at = invitation.expires_at - timedelta(days=30)
        db.session.commit()
    assert client.get(link).status_code == 410
    assert "expired" in client.get(link).get_data(as_text=True)
    _invite(client, a, email="gone@example.com")
    link = _link("gone@example.com")
    with tenant_context(a.id):
        invitation_id = db.session.scalar(select(Invitation.id).where(Invitation.email == "gone@example.com"))
    client.post(f"/w/{a.slug}/settings/invitations/{invitation_id}/revoke")
    assert "withdrawn" in client.get(link).get_data(as_text=True)
    assert client.get("/invitations/inv_1_not-a-real-token-at-all-xx").status_code == 404
    assert client.get("/invitations/garbage").status_code == 404


def test_invite_refuses_a_member_and_bad_addresses(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    response = _invite(client, a, email=a.owner.email)
    assert response.status_code == 422
    assert "already a member" in response.get_data(as_text=True)
    assert _invite(client, a, email="not-an-address").status_code == 422


def test_roles_decide_who_may_do_what(client, two_workspaces):
    a, _b = two_workspaces
    viewer = factories.member(a, "viewer@alpha.example", role="viewer")
    member = factories.member(a, "member@alpha.example", role="member")
    admin = factories.member(a, "admin@alpha.example", role="admin")
    login(client, viewer.email)
    assert client.get(f"/w/{a.slug}/settings/members").status_code == 200
    assert _invite(client, a).status_code == 403
    assert client.get(f"/w/{a.slug}/settings/").status_code == 403
    assert client.get(f"/w/{a.slug}/settings/api-tokens").status_code == 403
    client.post("/logout")
    login(client, admin.email)
    # An admin may invite and change roles, but not make owners or touch the owner.
    assert _invite(client, a, role="owner").status_code == 422
    member_row = membership_of(member, a.workspace)
    client.post(f"/w/{a.slug}/settings/members/{member_row.id}/role", data={"role": "viewer"})
    db.session.expire_all()
    assert membership_of(member, a.workspace).role == "viewer"
    owner_row = membership_of(a.owner, a.workspace)
    client.post(f"/w/{a.slug}/settings/members/{owner_row.id}/role", data={"role": "member"})
    db.session.expire_all()
    assert membership_of(a.owner, a.workspace).role == "owner"


def test_the_last_owner_cannot_leave_ownerless(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    owner_row = membership_of(a.owner, a.workspace)
    client.post(f"/w/{a.slug}/settings/members/{owner_row.id}/role", data={"role": "admin"})
    db.session.expire_all()
    assert membership_of(a.owner, a.workspace).role == "owner"


def test_an_unknown_workspace_slug_says_so(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    response = client.get("/w/no-such-place/")
    assert response.status_code == 404
    assert "No workspace at this address" in response.get_data(as_text=True)


def test_workspace_pages_need_a_login(client, two_workspaces):
    a, _b = two_workspaces
    response = client.get(f"/w/{a.slug}/settings/members")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_create_a_second_workspace_from_the_switcher(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    assert client.post("/workspaces/new", data={"name": ""}).status_code == 422
    response = client.post("/workspaces/new", data={"name": "Alpha Trading"})
    assert response.headers["Location"] == "/w/alpha-trading-2/"
    assert db.session.scalar(select(Membership.role).join(Membership.workspace).where(
        Membership.user_id == a.owner.id, Membership.tenant_id != a.id)) == "owner"
