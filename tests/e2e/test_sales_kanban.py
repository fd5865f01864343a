"""A seller drags a deal across the kanban board, sees the forecast change, and is asked for a
reason when the deal is lost."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from tests.e2e.flows import sign_up, workspace_path


def _month_key() -> str:
    return f"{date.today():%Y-%m}"


def test_drag_a_deal_across_the_board_and_the_forecast_follows(page, in_app):
    sign_up(page, "Li Na", "li.na@lvyuan.example", "Lvyuan Tea")
    base = workspace_path(page)
    slug = base.strip("/").split("/")[-1]
    with in_app() as db:
        from saas.metadata import pipelines
        from saas.modules.core.records import create_record
        from saas.tenants.context import tenant_context
        from saas.tenants.workspaces import workspace_by_slug

        workspace = workspace_by_slug(slug)
        with tenant_context(workspace.id):
            stages = {s.labels["en"]: s.id for s in pipelines.default_pipeline("deal").stages}
            deal_id = create_record("deal", {"name": "绿源 年度采购", "amount": "10000", "currency": "CNY",
                                             "stage": stages["Qualification"],
                                             "expected_close_on": date.today().isoformat()}).id
            db.session.commit()

    page.goto(f"{base}sales/forecast")
    expect(page.get_by_test_id(f"weighted-{_month_key()}")).to_have_text("1,000.00")      # 10% of 10,000

    page.goto(f"{base}sales/board")
    card = page.get_by_test_id(f"deal-{deal_id}")
    expect(card).to_be_visible()
    proposal = page.get_by_test_id(f"stage-{stages['Proposal']}")
    card.drag_to(proposal.locator(".kanban-cards"))
    expect(proposal.get_by_test_id(f"deal-{deal_id}")).to_be_visible()
    expect(proposal.get_by_test_id("stage-count")).to_have_text("1")

    page.goto(f"{base}sales/forecast")
    expect(page.get_by_test_id(f"weighted-{_month_key()}")).to_have_text("5,000.00")      # 50% now

    page.goto(f"{base}sales/board")
    lost = page.get_by_test_id(f"stage-{stages['Lost']}")
    lost.scroll_into_view_if_needed()
    page.get_by_test_id(f"deal-{deal_id}").drag_to(lost.locator(".kanban-cards"))
    dialog = page.get_by_test_id("lost-reason")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason").fill("选择了竞争对手")
    dialog.get_by_role("button", name="Mark as lost").click()
    expect(page.get_by_test_id("lost-reason")).to_have_count(0)
    expect(lost.get_by_test_id(f"deal-{deal_id}")).to_be_visible()
    page.get_by_test_id(f"deal-{deal_id}").get_by_role("link").click()
    expect(page.get_by_test_id("deal-stage")).to_contain_text("选择了竞争对手")
