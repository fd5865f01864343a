"""A seller builds a widget with the live preview, puts it on a new dashboard, drags it to the
front, and clicks a bar through to the deals behind it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.flows import sign_up, workspace_path


def test_build_a_widget_arrange_the_dashboard_and_click_through(page, in_app):
    sign_up(page, "Zhao Min", "zhao.min@chaye.example", "Chaye Trading")
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
            for n, stage in enumerate(["Qualification", "Qualification", "Qualification", "Proposal"]):
                create_record("deal", {"name": f"茶叶订单 {n}", "amount": "1000", "stage": stages[stage]})
            db.session.commit()

    # A dashboard of one's own.
    page.goto(f"{base}analytics/?all=1")
    page.get_by_label("Name").fill("My pipeline")
    page.get_by_role("button", name="Create dashboard").click()
    expect(page.get_by_role("heading", name="My pipeline")).to_be_visible()

    # A widget built in the editor, with an error beside its field and then a live preview.
    page.get_by_role("link", name="New widget").click()
    page.get_by_label("Name").fill("Deals by stage")
    page.get_by_label("Measure").select_option("sum")
    page.get_by_label("Of the field").select_option("name")
    expect(page.locator("#error-measure_field")).to_contain_text("is not a number")
    page.get_by_label("Measure").select_option("count")
    page.get_by_label("Of the field").select_option("")
    page.get_by_label("Group by").select_option("stage")
    expect(page.locator("#error-measure_field")).to_be_hidden()
    expect(page.get_by_test_id("widget-preview").locator(".js-plotly-plot")).to_be_visible()
    page.get_by_role("button", name="Save widget").click()

    # Back on the dashboard: the widget is the only tile; put a default one next to it, then drag.
    expect(page.get_by_role("heading", name="My pipeline")).to_be_visible()
    page.get_by_text("Dashboard settings").click()
    page.get_by_test_id("add-widget").get_by_label("Add a widget").select_option(label="Deals by owner")
    page.get_by_test_id("add-widget").get_by_role("button", name="Add").click()
    tiles = page.get_by_test_id("tile")
    expect(tiles).to_have_count(2)
    expect(tiles.nth(0)).to_contain_text("Deals by stage")
    expect(tiles.nth(0).locator(".js-plotly-plot")).to_be_visible()     # each tile loads in its own fragment
    expect(tiles.nth(1).locator(".js-plotly-plot")).to_be_visible()

    tiles.nth(1).locator(".drag-handle").drag_to(tiles.nth(0).locator(".tile-head"))
    expect(tiles.nth(0)).to_contain_text("Deals by owner")
    grid = page.get_by_test_id("dashboard-grid")
    expect(grid).to_have_attribute("data-saved", re.compile(r"^\d+$"))
    page.reload()
    expect(page.get_by_test_id("tile").nth(0)).to_contain_text("Deals by owner")   # the order was kept

    # Click the Qualification bar: the list of those three deals opens.
    mine = page.get_by_test_id("tile").nth(1)
    expect(mine.get_by_role("table")).to_be_hidden()
    bar = mine.locator(".js-plotly-plot .bars .point").first
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(r"/deals/\?ff=stage&fo=eq&fv=\d+"))
    expect(page.get_by_test_id("total")).to_have_text("3")
    expect(page.get_by_text("茶叶订单 0")).to_be_visible()
