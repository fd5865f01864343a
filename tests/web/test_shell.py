"""The web shell: CSRF on every form, language choice, error pages in the layout."""
import pytest

from tests import factories
from tests.conftest import login


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_a_form_post_without_csrf_token_is_refused(csrf_app, two_workspaces):
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": "owner@alpha.example", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)


def test_every_page_form_carries_a_csrf_token(csrf_app, two_workspaces):
    client = csrf_app.test_client()
    for path in ("/login", "/signup", "/forgot-password"):
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)


def test_language_follows_the_browser_then_the_users_choice(client):
    assert 'lang="zh-Hans"' in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-Hant"' in client.get("/login", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    client.post("/language/zh_Hant", data={"next": "/login"})
    assert 'lang="zh-Hant"' in client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)


def test_the_language_choice_is_kept_on_the_account(client, two_workspaces):
    a, _b = two_workspaces
    login(client, a.owner.email)
    client.post("/language/zh_Hans", data={"next": "/"})
    other = client.application.test_client()
    login(other, a.owner.email)
    assert 'lang="zh-Hans"' in other.get(f"/w/{a.slug}/").get_data(as_text=True)


def test_error_pages_render_inside_the_layout(client, two_workspaces):
    a, _b = two_workspaces
    viewer = factories.member(a, "viewer@alpha.example", role="viewer")
    login(client, viewer.email)
    forbidden = client.get(f"/w/{a.slug}/settings/api-tokens")
    assert forbidden.status_code == 403
    page = forbidden.get_data(as_text=True)
    assert "Not allowed" in page and 'class="topbar"' in page
    missing = client.get("/nothing-here")
    assert missing.status_code == 404 and 'class="topbar"' in missing.get_data(as_text=True)


def test_the_open_redirect_after_login_is_refused(client, two_workspaces):
    a, _b = two_workspaces
    response = client.post("/login?next=//evil.example/x",
                           data={"email": a.owner.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"
