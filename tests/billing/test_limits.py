"""Plan limits: usage against each limit, the one check modules call, and seats enforced when
inviting and accepting, in the browser with an upgrade link."""
import pytest
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.mail import OutboxMessage
from saas.modules.billing import limits
from saas.modules.billing.accounts import set_plan
from saas.tenants import invitations, workspaces
from saas.tenants.context import tenant_context
from saas.tenants.models import Invitation, User
from saas.tenants.workspaces import membership_of
from tests import factories


def _fill_seats(tenant, members: int):
    for n in range(members):
        factories.member(tenant, f"teammate{n}@{tenant.slug}.example")


def test_usage_counts_members_and_pending_invitations(app, two_workspaces):
    a, b = two_workspaces
    _fill_seats(a, 1)
    with tenant_context(a.id):
        invitations.invite(membership_of(a.owner, a.workspace), "invitee@example.com", "member")
        seats = limits.usage(a.workspace)["seats"]
        assert (seats.used, seats.limit, seats.full) == (3, 3, True)
        assert limits.usage(a.workspace)["plugins"].used == 0
    with tenant_context(b.id):
        assert limits.usage(b.workspace)["seats"].used == 1, "counted per workspace"


def test_require_capacity_raises_a_plan_limit_input_error(app, two_workspaces):
    a, _b = two_workspaces
    _fill_seats(a, 2)
    with tenant_context(a.id):
        limits.require_capacity("seats", adding=0)
        with pytest.raises(limits.PlanLimitError) as caught:
            limits.require_capacity("seats")
        error = caught.value
        assert isinstance(error, InputError)
        assert (error.code, error.status, error.resource, error.limit) == ("plan_limit", 402, "seats", 3)
        assert "3 seats" in error.message
        # Outside a request nobody can follow a link: the text says whom to ask instead.
        assert error.upgrade_url is None and "Ask an admin" in error.message
        set_plan(a.workspace, "starter")
        limits.require_capacity("seats", adding=7)
        with pytest.raises(limits.PlanLimitError):
            limits.require_capacity("seats", adding=8)


def test_beyond_a_limit_data_stays_read_only(app, two_workspaces):
    a, _b = two_workspaces
    with tenant_context(a.id):
        set_plan(a.workspace, "starter")
        db.session.commit()
    _fill_seats(a, 4)
    with tenant_context(a.id):
        set_plan(a.workspace, "free")  # downgraded: 5 members, 3 seats
        db.session.commit()
        assert limits.usage(a.workspace)["seats"].over
        with pytest.raises(limits.PlanLimitError) as caught:
            limits.require_writable("seats")
        assert "read-only" in caught.value.message and "nothing was deleted" in caught.value.message
    assert len(workspaces.members(a.workspace)) == 5


def test_counters_modules_and_api_rate(app, two_workspaces, monkeypatch):
    a, _b = two_workspaces
    with pytest.raises(ValueError):
        limits.register_usage_counter(app, "plugins", lambda ws: 0)  # billing counts plugins already
    with pytest.raises(ValueError):
        limits.register_usage_counter(app, "coffee", lambda ws: 0)
    # The records module registers its own counter; this test puts a fixed one in its place.
    counters = app.extensions.setdefault(limits.COUNTERS_KEY, {})
    monkeypatch.delitem(counters, "records", raising=False)
    limits.register_usage_counter(app, "records", lambda ws: 999)
    with tenant_context(a.id):
        assert limits.usage(a.workspace)["records"].used == 999
        limits.require_capacity("records")
        with pytest.raises(limits.PlanLimitError) as caught:
            limits.require_capacity("records", adding=2)
        assert caught.value.resource == "records"
        assert limits.module_allowed("core") and not limits.module_allowed("sales")
        with pytest.raises(limits.PlanLimitError):
            limits.require_module("analytics")
        assert limits.api_rate_limit() == "60 per minute"
        set_plan(a.workspace, "pro")
        assert limits.module_allowed("analytics")
        assert limits.api_rate_limit() == "1200 per minute"
        assert limits.usage(a.workspace)["records"].limit == 250_000


def test_inviting_beyond_the_seats_shows_an_upgrade_link(client, two_workspaces, login_as):
    a, _b = two_workspaces
    _fill_seats(a, 2)
    login_as(client, a.owner.email)
    response = client.post(f"/w/{a.slug}/settings/members", data={"email": "fourth@example.com", "role": "member"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Your plan allows 3 seats" in html
    assert f'href="/w/{a.slug}/settings/billing/" data-testid="upgrade-link"' in html
    with tenant_context(a.id):
        assert db.session.query(Invitation).count() == 0, "nothing half-written"


def test_accepting_when_the_workspace_is_full_is_refused(client, two_workspaces, login_as):
    a, _b = two_workspaces
    _fill_seats(a, 1)
    login_as(client, a.owner.email)
    assert client.post(f"/w/{a.slug}/settings/members", data={"email": "late@example.com", "role": "member"}
                       ).status_code == 302
    link = _link("late@example.com")
    factories.member(a, "direct@example.com")  # added by the operator: 3 members + 1 invitation, 3 seats
    client.post("/logout")
    refused = client.post(link, data={"name": "Late Comer", "password": "fresh-Start-77"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Your plan allows 3 seats" in html and "Ask an admin of the workspace to upgrade" in html
    assert "upgrade-link" not in html, "the invitee cannot open the workspace's billing page"
    assert db.session.scalar(select(User).where(User.email == "late@example.com")) is None, "nothing half-written"


def _link(email):
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == email)
                              .order_by(OutboxMessage.id.desc())).first()
    return next(w for w in mail.body.split() if "/invitations/" in w).replace("http://localhost", "")
