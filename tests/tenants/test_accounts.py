"""Sign-up, log-in, password reset: the happy paths and every kind of bad input."""
from sqlalchemy import func, select

from saas.extensions import db
from saas.mail import OutboxMessage
from saas.tenants.models import Membership, User, Workspace
from tests import factories


def _signup(client, **overrides):
    data = {"name": "Lin Wei", "email": "lin@orchard.example", "password": "spring-Rain-2026",
            "workspace_name": "Lin's Tea House"}
    data.update(overrides)
    return client.post("/signup", data=data)


def test_signup_creates_user_workspace_and_owner_membership(client):
    response = _signup(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/w/lin-s-tea-house")
    user = db.session.scalar(select(User).where(User.email == "lin@orchard.example"))
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.role == "owner"
    assert membership.workspace.name == "Lin's Tea House"
    assert user.password_hash.startswith("$argon2id$")
    assert client.get(response.headers["Location"]).status_code == 200


def test_signup_with_a_chinese_name_gets_an_ascii_slug(client):
    response = _signup(client, workspace_name="杭州茶叶")
    assert response.status_code == 302
    assert db.session.scalar(select(Workspace.slug)) == "workspace"


def test_duplicate_email_is_refused_and_nothing_is_half_created(client):
    assert _signup(client).status_code == 302
    client.post("/logout")
    response = _signup(client, workspace_name="Second company", email="LIN@orchard.example ")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Workspace)) == 1


def test_weak_password_is_refused_next_to_the_field(client):
    response = _signup(client, password="short")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use at least 10 characters." in page
    assert 'id="password-error"' in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(Workspace)) == 0


def test_signup_errors_come_in_the_users_language(client):
    response = client.post("/signup", data={"name": "", "email": "x", "password": "1", "workspace_name": ""},
                           headers={"Accept-Language": "zh-CN"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请输入有效的电子邮件地址" in page or "必填" in page


def test_login_and_logout(client, app):
    factories.user("amy@example.com")
    response = client.post("/login", data={"email": "amy@example.com", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/workspaces").status_code == 200
    client.post("/logout")
    assert client.get("/workspaces").status_code == 302


def test_wrong_password_gets_one_message_for_both_mistakes(client):
    factories.user("amy@example.com")
    wrong_password = client.post("/login", data={"email": "amy@example.com", "password": "nope-nope-1"})
    unknown_user = client.post("/login", data={"email": "zed@example.com", "password": "nope-nope-1"})
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert "The e-mail or the password is wrong." in wrong_password.get_data(as_text=True)
    assert "The e-mail or the password is wrong." in unknown_user.get_data(as_text=True)


def test_repeated_wrong_passwords_are_rate_limited(client, app):
    factories.user("amy@example.com")
    statuses = [client.post("/login", data={"email": "amy@example.com", "password": "bad-guess-00"}).status_code
                for _ in range(12)]
    assert statuses[0] == 401
    assert statuses[-1] == 429
    assert "Too many attempts" in client.post("/login", data={"email": "amy@example.com", "password": "x"}).get_data(as_text=True)


def test_password_reset_by_mailed_link(client):
    factories.user("amy@example.com")
    client.post("/forgot-password", data={"email": "amy@example.com"})
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == "amy@example.com"))
    link = next(word for word in mail.body.split() if "/reset-password/" in word)
    path = link.replace("http://localhost", "")
    assert client.get(path).status_code == 200
    weak = client.post(path, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 422
    done = client.post(path, data={"password": "new-Secret-99", "confirm": "new-Secret-99"})
    assert done.status_code == 302
    # The link works once.
    reused = client.get(path)
    assert reused.status_code == 410
    assert "already been used" in reused.get_data(as_text=True)
    client.post("/logout")
    assert client.post("/login", data={"email": "amy@example.com", "password": "new-Secret-99"}).status_code == 302


def test_password_reset_for_unknown_email_says_nothing_and_sends_nothing(client):
    response = client.post("/forgot-password", data={"email": "nobody@example.com"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_broken_reset_link(client):
    response = client.get("/reset-password/garbage")
    assert response.status_code == 410
    assert "not valid" in response.get_data(as_text=True)


def test_expired_reset_link(client, app):
    from saas.tenants.accounts import reset_token

    user = factories.user("amy@example.com")
    token = reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE_HOURS"] = -1
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_session_cookie_flags(client):
    factories.user("amy@example.com")
    response = client.post("/login", data={"email": "amy@example.com", "password": factories.PASSWORD})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
