"""Widgets from definition to figures: the aggregation builder, every chart type, the checks of the
editor, a widget on a removed field, and the cache invalidated by data and by widget changes."""
from __future__ import annotations

from datetime import date

import pytest

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import definitions
from saas.metadata.aggregate import Grouping, aggregate, bucket_start
from saas.metadata.query import Filter
from saas.modules.analytics import fragments, periods
from saas.modules.analytics.queries import Scope, run
from saas.modules.analytics.widgets import CHART_TYPES, WidgetSpec, check, save_widget
from saas.tenants.context import tenant_context
from tests.analytics import helpers


@pytest.fixture
def deals(two_workspaces):
    a, b = two_workspaces
    with tenant_context(a.id):
        helpers.region_field()
        helpers.deal("Tea", "100", "north")
        helpers.deal("Rice", "250.50", "north", stage="Proposal")
        helpers.deal("Silk", "400", "south", stage="Proposal")
        helpers.deal("Jade", "50")
    with tenant_context(b.id):
        helpers.region_field()
        helpers.deal("Other workspace", "99999", "north")
    return a, b


def test_aggregate_groups_a_custom_select_and_sums_within_the_workspace(deals):
    a, _b = deals
    with helpers.inside(a):
        rows = {r.keys[0]: r.value for r in aggregate("deal", "sum", "amount", [Grouping("region")])}
        assert rows == {"north": pytest.approx(350.5), "south": pytest.approx(400), None: pytest.approx(50)}
        counts = {r.keys: r.value for r in aggregate("deal", "count", None, [Grouping("region"), Grouping("stage")],
                                                       [Filter("region", "not_empty")])}
        assert sum(counts.values()) == 3
        month = bucket_start(date.today(), "month")
        by_month = aggregate("deal", "count", None, [Grouping("created_at", "month")])
        assert [(r.keys[0], r.value) for r in by_month] == [(month, 4)]
        for bucket in ("day", "week", "quarter", "year"):
            (row,) = aggregate("deal", "avg", "amount", [Grouping("created_at", bucket)])
            assert row.keys[0] == bucket_start(date.today(), bucket)
            assert row.value == pytest.approx(200.125)


def test_a_measure_that_does_not_fit_the_field_is_refused(deals):
    a, _b = deals
    with helpers.inside(a):
        with pytest.raises(InputError) as caught:
            check(WidgetSpec(name="x", measure="sum", measure_field="name", group_by="region"))
        assert "measure_field" in caught.value.fields
        with pytest.raises(InputError) as caught:
            check(WidgetSpec(name="x", group_by="name"))
        assert "group_by" in caught.value.fields
        with pytest.raises(InputError) as caught:
            check(WidgetSpec(name="x", group_by="created_at"))
        assert "group_bucket" in caught.value.fields
        with pytest.raises(InputError) as caught:
            check(WidgetSpec(name="", chart_type="kpi", group_by="region"))
        assert {"name", "group_by"} <= set(caught.value.fields)
        with pytest.raises(InputError) as caught:
            check(WidgetSpec(name="x", group_by="region", filters=[{"field": "amount", "op": "gt", "value": "lots"}]))
        assert "filters" in caught.value.fields


@pytest.mark.parametrize("chart_type", sorted(CHART_TYPES))
def test_every_chart_type_renders_from_a_widget_definition(deals, chart_type):
    a, _b = deals
    with helpers.inside(a):
        spec = WidgetSpec(name="Amount by region", measure="sum", measure_field="amount", chart_type=chart_type,
                          group_by=None if chart_type == "kpi" else "region",
                          group_by2="stage" if chart_type == "stacked_bar" else None)
        shown = fragments.view(check(spec))
        assert shown.error is None and shown.missing is None
        result = shown.result
        assert result["rows"]
        if chart_type == "kpi":
            assert result["value"] == pytest.approx(800.5)
            assert shown.chart is None
        elif chart_type == "table":
            assert shown.chart is None
            assert ["north", pytest.approx(350.5)] == result["rows"][0][:2]
        else:
            assert "Plotly.newPlot" in shown.chart and "orchardWidgetClicks" in shown.chart
            assert "/deals/?ff=region" in shown.chart.replace("\\u002f", "/")
        assert fragments.csv_text(result).splitlines()[0].startswith(("Region", "Sum"))


def test_kpi_compares_with_the_previous_period(deals):
    a, _b = deals
    with helpers.inside(a):
        spec = check(WidgetSpec(name="Won", measure="count", chart_type="kpi", date_range="this_month"))
        result = run(spec)
        assert result["value"] == 4 and result["previous"] == 0 and result["change"] is None
        assert "ff=created_at" in result["link"]


def test_periods_and_their_previous_ones():
    on = date(2026, 3, 15)
    this_month = periods.resolve("this_month", on=on)
    assert (this_month.start, this_month.end) == (date(2026, 3, 1), on)
    assert this_month.previous() == periods.Period(date(2026, 2, 1), date(2026, 2, 15))
    last_month = periods.resolve("last_month", on=on)
    assert last_month == periods.Period(date(2026, 2, 1), date(2026, 2, 28))
    assert last_month.previous() == periods.Period(date(2026, 1, 1), date(2026, 1, 31))
    assert periods.resolve("last_30_days", on=on).previous() == periods.Period(date(2026, 1, 15), date(2026, 2, 13))
    assert periods.resolve("this_quarter", on=on).start == date(2026, 1, 1)
    assert periods.resolve("next_12_months", on=on).end == date(2027, 2, 28)
    assert periods.resolve("all", on=on).previous() is None


def test_a_widget_on_a_removed_field_says_so(deals):
    a, _b = deals
    with helpers.inside(a):
        row = helpers.widget(group_by="region")
        helpers.remove_field("deal", "region")
        shown = fragments.view(check_spec(row), None, row)
        assert shown.missing is not None and shown.missing.key == "region" and shown.result is None


def check_spec(row):
    return WidgetSpec.of(row)


def test_cache_is_invalidated_by_data_and_by_widget_changes(deals):
    a, _b = deals
    with helpers.inside(a):
        row = helpers.widget(measure="sum", measure_field="amount", group_by="region", chart_type="table")
        first = fragments.view(WidgetSpec.of(row), Scope(), row)
        again = fragments.view(WidgetSpec.of(row), Scope(), row)
        assert not first.cached and again.cached
        assert again.result == first.result

        helpers.deal("Porcelain", "1000", "south")          # a record changes: the data version moves
        after_data = fragments.view(WidgetSpec.of(row), Scope(), row)
        assert not after_data.cached
        south = next(r for r in after_data.result["rows"] if r[0] == "south")
        assert south[1] == pytest.approx(1400)

        save_widget(row, WidgetSpec(**{**WidgetSpec.of(row).as_dict(), "measure": "count"}), None)
        db.session.commit()                                  # the widget changes: its version moves
        after_edit = fragments.view(WidgetSpec.of(row), Scope(), row)
        assert not after_edit.cached
        assert next(r for r in after_edit.result["rows"] if r[0] == "south")[1] == 2

        other_scope = fragments.view(WidgetSpec.of(row), Scope(date_range="last_year"), row)
        assert not other_scope.cached                        # cached per filters too
        assert all(r[1] == 0 for r in other_scope.result["rows"])


def test_a_rolled_back_change_keeps_the_cache(deals):
    a, _b = deals
    with helpers.inside(a):
        row = helpers.widget(group_by="region")
        fragments.view(WidgetSpec.of(row), Scope(), row)
        helpers.deal("Never", "5", "north", commit=False)
        db.session.rollback()
        assert fragments.view(WidgetSpec.of(row), Scope(), row).cached


def test_rfm_segments_group_and_predictions_measure_and_filter(two_workspaces):
    """The customer-value fields of contacts (segment, p_alive, predicted CLV) are ordinary fields
    to a widget: a group-by, a measure and a filter."""
    from saas.modules.analytics.predictions import ensure_fields
    from saas.modules.core.records import create_record

    a, _b = two_workspaces
    with helpers.inside(a):
        ensure_fields()
        for name, segment, alive, value in [("Ann", "champions", 0.9, 1200), ("Bo", "champions", 0.2, 300),
                                            ("Cai", "lost", 0.1, 10)]:
            contact = create_record("contact", {"name": name})
            contact.custom = {**(contact.custom or {}), "rfm_segment": segment, "p_alive": alive,
                              "predicted_clv": value}
        db.session.commit()
        spec = check(WidgetSpec(name="Value by segment", object_key="contact", measure="avg",
                                measure_field="predicted_clv", group_by="rfm_segment", chart_type="bar",
                                filters=[{"field": "p_alive", "op": "lt", "value": "0.3"}]))
        result = run(spec)
        values = dict(zip(result["categories"], result["series"][0]["values"]))
        assert {label: round(v) for label, v in values.items()} == {"Champions": 300, "Lost": 10}
        assert "fo=lt" in result["series"][0]["links"][0] and "ff=rfm_segment" in result["series"][0]["links"][0]
