"""An admin adds a custom select field to contacts in the field studio, sets it on a contact from
the contact's page, and filters the contact list by it."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.flows import sign_up, workspace_path


def test_a_custom_select_field_is_added_set_inline_and_filtered_on(page, in_app):
    sign_up(page, "Zhou Min", "zhou.min@chayuan.example", "Chayuan Trading")
    base = workspace_path(page)
    slug = base.strip("/").split("/")[-1]

    page.goto(f"{base}settings/fields?object=contact")
    form = page.get_by_test_id("add-field")
    form.get_by_label("Label (en)").fill("Tier")
    form.get_by_label("Label (zh_Hans)").fill("等级")
    form.get_by_label("Label (zh_Hant)").fill("等級")
    form.get_by_label("Options (selects), one per line").fill("Bronze\nSilver\nGold")
    form.get_by_label("Type").select_option(label="Single select")
    form.get_by_label("Filterable (indexed for fast lists)").check()
    form.get_by_role("button", name="Add field").click()
    fields = page.get_by_test_id("studio-fields")
    expect(fields.locator("li", has=page.locator("code", has_text="tier"))).to_contain_text("Single select")

    # Three contacts: one to set by hand, one already "Silver", one left empty.
    with in_app() as db:
        from saas.modules.core.records import create_record
        from saas.tenants.context import tenant_context
        from saas.tenants.workspaces import workspace_by_slug

        with tenant_context(workspace_by_slug(slug).id):
            wang_id = create_record("contact", {"name": "王芳"}).id
            create_record("contact", {"name": "陈静", "tier": "Silver"})
            create_record("contact", {"name": "刘洋"})
            db.session.commit()

    page.goto(f"{base}contacts/{wang_id}")
    tier = page.get_by_test_id("field-tier")
    tier.get_by_role("link", name="Edit Tier").click()
    tier.get_by_role("combobox", name="Tier", exact=True).select_option(label="Gold")
    tier.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("field-tier").locator("select")).to_have_count(0)
    expect(page.get_by_test_id("field-tier")).to_contain_text("Gold")
    page.reload()
    expect(page.get_by_test_id("field-tier")).to_contain_text("Gold")

    page.goto(f"{base}contacts/")
    rows = page.get_by_test_id("records").locator("tbody tr")
    expect(rows).to_have_count(3)
    blank = page.get_by_test_id("filters").locator(".filter-row").last
    blank.get_by_label("Field").select_option(label="Tier")
    blank.get_by_label("Operator").select_option("eq")
    blank.get_by_label("Value").fill("Gold")
    page.get_by_test_id("list-controls").get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name="王芳")).to_be_visible()
