"""A dashboard tile served whole from the cache: no table read on a hit, and a miss after any
change it shows (records, the widget, the dashboard, the fields), never across workspaces or to
a member who may not open the dashboard."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from saas.extensions import db
from saas.metadata import definitions
from saas.modules.analytics import dashboards
from saas.modules.analytics.widgets import WidgetSpec, delete_widget, get_widget, save_widget
from saas.plugins import hookimpl, platform
from saas.tenants.context import tenant_context
from tests import factories
from tests.analytics import helpers
from tests.conftest import login

CACHED = b'data-cached="1"'


@pytest.fixture
def tile(two_workspaces, client):
    """Workspace A with deals by region, a widget on A's owner's private dashboard; (a, b, url)."""
    a, b = two_workspaces
    with tenant_context(a.id):
        helpers.region_field()
        helpers.deal("Tea", "100", "north")
        helpers.deal("Silk", "400", "south")
        widget = helpers.widget(name="By region", measure="sum", measure_field="amount", group_by="region",
                                chart_type="table")
        board = helpers.dashboard(a, "Private board")
        dashboards.add_tile(board, widget)
        db.session.commit()
        ids = widget.id, board.id
    login(client, a.owner.email)
    return a, b, f"/w/{a.slug}/analytics/widgets/{ids[0]}?dashboard={ids[1]}", ids


def get(client, url):
    return client.get(url, headers={"HX-Request": "true"})


def statements_during(action) -> list[str]:
    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen


def test_a_hit_reads_no_table_of_widgets_dashboards_or_fields(tile, client):
    a, _b, url, _ids = tile
    first = get(client, url)
    assert first.status_code == 200 and CACHED not in first.data and b"south" in first.data
    responses = []
    statements = statements_during(lambda: responses.append(get(client, url)))
    assert responses[0].status_code == 200 and CACHED in responses[0].data
    assert responses[0].data.replace(b'data-cached="1" ', b"") == first.data
    read = " ".join(statements).lower()
    for table in ("analytics_widgets", "analytics_dashboards", "metadata_versions", "deals"):
        assert table not in read, table


def test_a_record_change_makes_the_tile_miss(tile, client):
    a, _b, url, _ids = tile
    get(client, url)
    assert CACHED in get(client, url).data
    with tenant_context(a.id):
        helpers.deal("Porcelain", "1000", "south")
    fresh = get(client, url)
    assert CACHED not in fresh.data and b"1,400" in fresh.data
    assert CACHED in get(client, url).data


def test_a_widget_change_makes_the_tile_miss(tile, client):
    a, _b, url, (widget_id, _board_id) = tile
    get(client, url)
    with tenant_context(a.id):
        widget = get_widget(widget_id)
        save_widget(widget, WidgetSpec(**{**WidgetSpec.of(widget).as_dict(), "measure": "count"}), None)
        db.session.commit()
    fresh = get(client, url)
    assert CACHED not in fresh.data and b"Count" in fresh.data


def test_a_rolled_back_widget_change_keeps_the_tile(tile, client):
    a, _b, url, (widget_id, _board_id) = tile
    get(client, url)
    with tenant_context(a.id):
        widget = get_widget(widget_id)
        save_widget(widget, WidgetSpec(**{**WidgetSpec.of(widget).as_dict(), "measure": "count"}), None)
        db.session.rollback()
    assert CACHED in get(client, url).data


def test_a_dashboard_scope_change_makes_the_tile_miss(tile, client):
    a, _b, url, (_widget_id, board_id) = tile
    get(client, url)
    answer = client.post(f"/w/{a.slug}/analytics/dashboards/{board_id}/scope",
                         data={"range": "", "ff": ["region"], "fo": ["eq"], "fv": ["north"]})
    assert answer.status_code == 302
    fresh = get(client, url)
    assert CACHED not in fresh.data and b"north" in fresh.data and b"south" not in fresh.data


def test_a_removed_field_makes_the_tile_miss(tile, client):
    a, _b, url, _ids = tile
    get(client, url)
    with tenant_context(a.id):
        helpers.remove_field("deal", "region")          # bumps the metadata version
    fresh = get(client, url)
    assert CACHED not in fresh.data and b'data-testid="widget-missing-field"' in fresh.data


def test_a_renamed_option_shows_at_once(tile, client):
    a, _b, url, _ids = tile
    get(client, url)
    with tenant_context(a.id):
        row = definitions.get_field_row(definitions.field_map("deal")["region"].id)
        options = [dict(o) for o in row.options]
        for option in options:
            if option["value"] == "south":
                option["labels"] = {"en": "Southern China"}
        definitions.update_field(row, options=options)
        db.session.commit()
    fresh = get(client, url)
    assert CACHED not in fresh.data and b"Southern China" in fresh.data


def test_a_deleted_widget_answers_404_not_its_cached_tile(tile, client):
    a, _b, url, (widget_id, _board_id) = tile
    get(client, url)
    with tenant_context(a.id):
        delete_widget(get_widget(widget_id))
        db.session.commit()
    assert get(client, url).status_code == 404


def test_another_workspace_never_gets_the_cached_tile(tile, client):
    a, b, url, (widget_id, board_id) = tile
    get(client, url)
    client.post("/logout")
    login(client, b.owner.email)
    assert get(client, url).status_code == 404                     # not a member of A
    assert get(client, f"/w/{b.slug}/analytics/widgets/{widget_id}?dashboard={board_id}").status_code == 404
    assert get(client, f"/w/{b.slug}/analytics/widgets/{widget_id}").status_code == 404


def test_a_member_who_may_not_open_the_dashboard_never_gets_its_tile(tile, client):
    a, _b, url, (widget_id, _board_id) = tile
    get(client, url)
    assert CACHED in get(client, url).data
    factories.member(a, "colleague@alpha.example")
    client.post("/logout")
    login(client, "colleague@alpha.example")
    assert get(client, url).status_code == 404                     # the owner's private dashboard
    alone = get(client, f"/w/{a.slug}/analytics/widgets/{widget_id}")
    assert alone.status_code == 200 and b"south" in alone.data     # the widget itself is shared


def test_a_shared_dashboard_tile_is_kept_once_for_every_member_until_it_turns_private(tile, client):
    a, _b, url, (_widget_id, board_id) = tile
    with tenant_context(a.id):
        board = dashboards.get_dashboard(board_id, a.owner.id)
        dashboards.save_dashboard(board, board.name, True, a.owner.id)       # shared now
        db.session.commit()
    assert CACHED not in get(client, url).data
    factories.member(a, "colleague@alpha.example")
    client.post("/logout")
    login(client, "colleague@alpha.example")
    assert CACHED in get(client, url).data                         # made for the owner, served to a colleague
    with tenant_context(a.id):
        board = dashboards.get_dashboard(board_id, a.owner.id)
        dashboards.save_dashboard(board, board.name, False, a.owner.id)      # private again
        db.session.commit()
    assert get(client, url).status_code == 404


class LuckyPlugin:
    """An in-test plugin with a widget type of its own."""

    @staticmethod
    @hookimpl
    def widget_types(workspace):
        def lucky(options, period):
            return {"columns": ["Number"], "rows": [[7], [8]], "figure": None}
        return [{"key": "lucky_numbers", "label": "Lucky numbers", "compute": lucky}]


@pytest.fixture
def lucky_plugin(app, monkeypatch):
    p = platform()
    p.pm.register(LuckyPlugin, name="lucky")
    enabled = {"on": True}
    monkeypatch.setattr("saas.plugins.enabled_plugins",
                        lambda workspace: [*p.plugins, *(["lucky"] if enabled["on"] else [])])
    yield enabled
    p.pm.unregister(name="lucky")


def test_a_plugin_turned_off_says_so_at_once(tile, client, lucky_plugin):
    a, _b, _url, (_widget_id, board_id) = tile
    with tenant_context(a.id):
        widget = save_widget(None, WidgetSpec(name="Lucky", kind="lucky_numbers", chart_type="table"), None)
        db.session.commit()
        url = f"/w/{a.slug}/analytics/widgets/{widget.id}?dashboard={board_id}"
    get(client, url)
    first = get(client, url)
    assert first.status_code == 200 and CACHED in first.data and b"<td>7</td>" in first.data
    lucky_plugin["on"] = False
    off = get(client, url)
    assert CACHED not in off.data and b"its module is off" in off.data
