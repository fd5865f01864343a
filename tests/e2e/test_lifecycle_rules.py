"""An admin builds a lifecycle rule in the no-code editor (a custom field, an operator, a value, and
a number of orders in a window), re-evaluates every customer from the board and sees the customer
who matches move to the rule's stage; a second customer moves the moment an order is placed."""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.flows import sign_up, workspace_path


def _order(contact_id: int, days_ago: int, number: str) -> dict:
    return {"number": number, "contact": contact_id, "amount": "880", "status": "paid",
            "ordered_on": (date.today() - timedelta(days=days_ago)).isoformat()}


def _redraw(page: Page, change) -> None:
    """Make a change that re-draws the rule editor (htmx), and wait until the new form is in place."""
    with page.expect_response(lambda r: r.url.endswith("/lifecycle/rules/editor")):
        change()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def test_a_rule_built_in_the_editor_moves_a_customer(page, in_app):
    sign_up(page, "Zhao Min", "zhao.min@yunshan.example", "Yunshan Tea")
    base = workspace_path(page)
    slug = base.strip("/").split("/")[-1]
    with in_app() as db:
        from saas.metadata.definitions import add_field
        from saas.modules.core.records import create_record
        from saas.tenants.context import tenant_context
        from saas.tenants.workspaces import workspace_by_slug

        with tenant_context(workspace_by_slug(slug).id):
            add_field("contact", labels={"en": "Member tier"}, type="single_select", key="tier",
                      options="Bronze\nGold")
            db.session.commit()
            regular = create_record("contact", {"name": "陈静", "tier": "Gold"})
            newcomer = create_record("contact", {"name": "刘洋", "tier": "Gold"})
            for days, number in ((10, "YS-1"), (40, "YS-2")):
                create_record("order", _order(regular.id, days, number))
            create_record("order", _order(newcomer.id, 5, "YS-3"))
            db.session.commit()
            regular_id, newcomer_id = regular.id, newcomer.id

    # No rule yet: both start in the first stage.
    page.goto(f"{base}lifecycle/")
    awareness = page.get_by_test_id("column-awareness")
    expect(awareness.get_by_test_id(f"card-{regular_id}")).to_be_visible()

    page.goto(f"{base}lifecycle/rules")
    page.get_by_test_id("new-rule").click()
    form = page.get_by_test_id("rule-form")
    form.get_by_label("Name").fill("Gold repeat buyers")
    form.get_by_label("Move matching customers to").select_option(label="Loyalty")
    condition = form.get_by_test_id("condition-0")
    # Each choice re-draws the editor with what fits it: the fields, then the field's operators and values.
    _redraw(page, lambda: condition.get_by_label("What to check").select_option(label="A field of the customer"))
    _redraw(page, lambda: condition.get_by_label("Field", exact=True).select_option(label="Member tier"))
    _redraw(page, lambda: condition.get_by_label("Operator").select_option("eq"))
    condition.get_by_label("Value").select_option(label="Gold")
    _redraw(page, lambda: page.get_by_test_id("add-condition").click())
    second = form.get_by_test_id("condition-1")
    _redraw(page, lambda: second.get_by_label("What to check").select_option(label="Number of orders"))
    second.get_by_label("Comparison").select_option(label="at least")
    second.get_by_label("Orders").fill("2")
    second.get_by_label("within the last … days (empty: ever)").fill("180")
    # The first condition kept its choices through the re-draws.
    expect(condition.get_by_label("Value")).to_have_value("Gold")
    page.get_by_test_id("save-rule").click()

    rules = page.get_by_test_id("rules")
    expect(rules).to_contain_text("Gold repeat buyers")
    expect(rules).to_contain_text("Loyalty")
    expect(rules).to_contain_text("2 conditions")

    # Re-evaluate every customer on demand, from the board.
    page.goto(f"{base}lifecycle/")
    page.get_by_test_id("evaluate").click()
    expect(page.get_by_test_id("evaluation-progress")).to_be_visible()
    with in_app():
        from tests.lifecycle.helpers import run_jobs

        run_jobs()      # with Redis the job waits for a worker; inline it ran already
    expect(page.get_by_test_id("evaluation-status")).to_contain_text("moved 1 customer", timeout=30_000)
    page.get_by_role("link", name="Reload the board").click()
    loyalty = page.get_by_test_id("column-loyalty")
    expect(loyalty.get_by_test_id(f"card-{regular_id}")).to_be_visible()
    expect(page.get_by_test_id("count-loyalty")).to_have_text("1")
    expect(page.get_by_test_id("column-awareness").get_by_test_id(f"card-{newcomer_id}")).to_be_visible()

    # The customer's path names the rule.
    loyalty.get_by_role("link", name="陈静").click()
    expect(page.get_by_role("main")).to_contain_text("Gold repeat buyers")

    # An order placed is an event: the newcomer's second order moves them at once.
    with in_app() as db:
        from saas.modules.core.records import create_record
        from saas.tenants.context import tenant_context
        from saas.tenants.workspaces import workspace_by_slug

        with tenant_context(workspace_by_slug(slug).id):
            create_record("order", _order(newcomer_id, 0, "YS-4"))
            db.session.commit()
    page.goto(f"{base}lifecycle/")
    expect(page.get_by_test_id("column-loyalty").get_by_test_id(f"card-{newcomer_id}")).to_be_visible()
    expect(page.get_by_test_id("count-loyalty")).to_have_text("2")
