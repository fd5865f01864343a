"""Steps the browser tests share, done the way a person does them: through the pages."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "spring-Rain-2026"


def sign_up(page: Page, name: str, email: str, workspace: str, password: str = PASSWORD) -> None:
    """Create an account and its first workspace; ends on the workspace home."""
    page.goto("/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Work e-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Company or workspace name").fill(workspace)
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_role("heading", name=f"Welcome to {workspace}")).to_be_visible()


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill and send the log-in form."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def open_menu(page: Page, testid: str) -> None:
    """Open one of the topbar's menus (workspace switcher, language)."""
    page.get_by_test_id(testid).locator("summary").click()


def workspace_path(page: Page) -> str:
    """The /w/<slug>/ part of the page's address."""
    match = re.search(r"/w/[^/]+/", page.url)
    assert match, page.url
    return match.group(0)
