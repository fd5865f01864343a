"""The foundation's main flow in a real browser: sign up, invite a teammate, the teammate accepts
from the mailed link and creates an account, switches to 简体中文, logs out."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from saas.mail import OutboxMessage
from tests.e2e.flows import open_menu, sign_up, workspace_path


def _invitation_link(in_app, email: str) -> str:
    with in_app() as db:
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == email)
                                  .order_by(OutboxMessage.id.desc())).first()
    assert mail is not None, f"no mail to {email} in the outbox"
    return next(word for word in mail.body.split() if "/invitations/" in word)


def test_sign_up_invite_accept_switch_language_log_out(new_page, in_app, live_server):
    owner = new_page()
    sign_up(owner, "Lin Wei", "lin@teahouse.example", "Lin Tea House")
    home = workspace_path(owner)

    main_nav = owner.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="Team").click()
    # Team lives under Settings' address; only Team is the current page.
    expect(main_nav.locator("[aria-current=page]")).to_have_count(1)
    expect(main_nav.locator("[aria-current=page]")).to_have_text("Team")
    invite = owner.get_by_test_id("invite-form")
    invite.get_by_label("E-mail").fill("chen@teahouse.example")
    invite.get_by_label("Role").select_option("member")
    invite.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_text("Invitation sent to chen@teahouse.example.")).to_be_visible()
    expect(owner.get_by_test_id("invitations")).to_contain_text("chen@teahouse.example")

    link = _invitation_link(in_app, "chen@teahouse.example")
    assert link.startswith(live_server + "/invitations/")

    teammate = new_page()
    teammate.goto(link)
    expect(teammate.get_by_role("heading", name="Join Lin Tea House")).to_be_visible()
    teammate.get_by_label("Your name").fill("Chen Jie")
    teammate.get_by_label("Password").fill("green-Leaf-2026")
    teammate.get_by_role("button", name="Create account and join").click()
    expect(teammate.get_by_text("You joined Lin Tea House.")).to_be_visible()
    assert workspace_path(teammate) == home
    expect(teammate.get_by_text("Your role: Member")).to_be_visible()

    open_menu(teammate, "language-switcher")
    teammate.get_by_role("button", name="简体中文").click()
    nav = teammate.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="首页")).to_be_visible()
    expect(nav.get_by_role("link", name="团队")).to_be_visible()
    expect(teammate.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(teammate.get_by_text("您的角色：成员")).to_be_visible()

    teammate.locator("details.user-menu summary").click()
    teammate.get_by_test_id("logout").click()
    expect(teammate.get_by_role("heading", name="登录 Orchard")).to_be_visible()
    expect(teammate.get_by_text("您已退出登录。")).to_be_visible()
    # Logged out for real: the workspace sends the visitor back to the log-in page.
    teammate.goto(home)
    expect(teammate.get_by_role("heading", name="登录 Orchard")).to_be_visible()
    assert "/login" in teammate.url

    # The owner sees the new member on the Team page.
    owner.reload()
    expect(owner.get_by_test_id("members")).to_contain_text("Chen Jie")
