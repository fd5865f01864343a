"""One user in two workspaces moves between them with the switcher in the top bar."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.flows import open_menu, sign_up, workspace_path


def test_switcher_moves_between_two_workspaces(page):
    sign_up(page, "Mei Huang", "mei@orchards.example", "Mei Orchards")
    first = workspace_path(page)

    open_menu(page, "workspace-switcher")
    page.get_by_test_id("workspace-switcher").get_by_role("link", name="New workspace").click()
    page.get_by_label("Workspace name").fill("Mei Export")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_role("heading", name="Welcome to Mei Export")).to_be_visible()
    second = workspace_path(page)
    assert second != first

    switcher = page.get_by_test_id("workspace-switcher")
    expect(switcher.locator("summary")).to_have_text("Mei Export")
    open_menu(page, "workspace-switcher")
    switcher.get_by_role("link", name="Mei Orchards").click()
    expect(page.get_by_role("heading", name="Welcome to Mei Orchards")).to_be_visible()
    assert workspace_path(page) == first
    expect(switcher.locator("summary")).to_have_text("Mei Orchards")

    open_menu(page, "workspace-switcher")
    switcher.get_by_role("link", name="Mei Export").click()
    expect(page.get_by_role("heading", name="Welcome to Mei Export")).to_be_visible()
    assert workspace_path(page) == second
