"""A workspace with more companies than a list can hold: on the new-contact form the company is
found by typing part of its name, chosen from the narrowed list with the keyboard, and saved."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.flows import sign_up, workspace_path


def test_a_company_past_the_list_is_found_by_typing_and_saved(page: Page, in_app):
    sign_up(page, "Sun Li", "sun.li@hongqiao.example", "Hongqiao Trading")
    base = workspace_path(page)
    slug = base.strip("/").split("/")[-1]
    with in_app() as db:
        from sqlalchemy import insert

        from saas.modules.core.models import Company
        from saas.modules.core.records import PICKER_LISTS_UP_TO
        from saas.tenants.context import tenant_context
        from saas.tenants.workspaces import workspace_by_slug

        tenant_id = workspace_by_slug(slug).id
        names = [f"供应商 {i:04d}" for i in range(PICKER_LISTS_UP_TO + 50)] + ["上海虹桥物流有限公司"]
        with tenant_context(tenant_id):
            db.session.execute(insert(Company), [{"tenant_id": tenant_id, "name": n, "custom": {}, "tags": []}
                                                 for n in names])
            db.session.commit()

    page.goto(f"{base}contacts/new")
    page.locator("#field-name").fill("孙丽")
    find = page.get_by_placeholder("Type to find…")
    company = page.locator("#field-company")
    with page.expect_response(lambda r: "/search/references" in r.url):
        find.fill("虹桥")
    expect(company.locator("option", has_text="上海虹桥物流有限公司")).to_have_count(1)
    expect(company.locator("option", has_text="供应商")).to_have_count(0)
    find.press("Tab")
    expect(company).to_be_focused()
    company.select_option(label="上海虹桥物流有限公司")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("上海虹桥物流有限公司").first).to_be_visible()
    expect(page.get_by_role("heading", name="孙丽")).to_be_visible()
