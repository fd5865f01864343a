"""Logging in through the browser: a wrong password is answered next to the form."""
from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.e2e.flows import log_in


def test_wrong_password_shows_the_message_next_to_the_form(page, in_app):
    with in_app():
        factories.workspace_with_owner("Harbour Books", "amy@harbour.example")

    log_in(page, "amy@harbour.example", "not-the-Password-1")
    form = page.locator("form").filter(has=page.get_by_label("Password"))
    expect(form.get_by_role("alert")).to_have_text("The e-mail or the password is wrong.")
    expect(page.get_by_label("E-mail")).to_have_value("amy@harbour.example")
    expect(page.get_by_label("Password")).to_have_value("")
    assert "/login" in page.url

    log_in(page, "amy@harbour.example", factories.PASSWORD)
    expect(page.get_by_role("heading", name="Welcome to Harbour Books")).to_be_visible()
