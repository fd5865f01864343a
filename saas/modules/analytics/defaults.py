"""The dashboards every workspace starts with: sales (pipeline by stage, won this month against
last, forecast by month, deals by owner, the pipeline funnel) and customers (customers by lifecycle
stage, stage conversion, new against churned by month, RFM segments, cohort retention)."""
from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.definitions import field_map
from saas.modules.analytics import dashboards
from saas.modules.analytics.models import Dashboard
from saas.modules.analytics.widgets import WidgetSpec, save_widget

log = logging.getLogger("saas.analytics")
# The contact field of the customer-value (RFM) segments, when that module provides it.
RFM_SEGMENT_FIELD = "rfm_segment"


def _stage_ids(outcomes: tuple[str, ...]) -> list[int]:
    from saas.metadata import pipelines

    return [s.id for p in pipelines.pipelines("deal") for s in p.stages if s.outcome in outcomes]


def _stage_filter(outcomes: tuple[str, ...]) -> list[dict]:
    ids = _stage_ids(outcomes)
    return [{"field": "stage", "op": "in", "value": ids}] if ids else []


def sales_widgets() -> list[tuple[WidgetSpec, int]]:
    """(definition, tile width) of the default sales dashboard."""
    return [
        (WidgetSpec(name=_("Pipeline by stage"), object_key="deal", measure="sum", measure_field="amount",
                    group_by="stage", filters=_stage_filter(("open",)), chart_type="bar"), 6),
        (WidgetSpec(name=_("Won this month"), object_key="deal", measure="sum", measure_field="amount",
                    filters=_stage_filter(("won",)), date_field="closed_on", date_range="this_month",
                    chart_type="kpi"), 3),
        (WidgetSpec(name=_("Deals won this month"), object_key="deal", measure="count",
                    filters=_stage_filter(("won",)), date_field="closed_on", date_range="this_month",
                    chart_type="kpi"), 3),
        (WidgetSpec(name=_("Forecast by month"), object_key="deal", measure="sum", measure_field="amount",
                    group_by="expected_close_on", group_bucket="month", filters=_stage_filter(("open",)),
                    date_field="expected_close_on", date_range="next_12_months", chart_type="bar"), 6),
        (WidgetSpec(name=_("Deals by owner"), object_key="deal", measure="count", group_by="owner",
                    filters=_stage_filter(("open",)), chart_type="pie"), 6),
        (WidgetSpec(name=_("Pipeline funnel"), kind="pipeline_funnel", date_range="last_12_months"), 12),
    ]


def customer_widgets() -> list[tuple[WidgetSpec, int]]:
    """(definition, tile width) of the default customer dashboard."""
    items = [
        (WidgetSpec(name=_("Customers by lifecycle stage"), object_key="contact", measure="count",
                    group_by="lifecycle_stage", chart_type="bar"), 6),
        (WidgetSpec(name=_("Lifecycle stage conversion"), kind="lifecycle_funnel", date_range="last_90_days"), 6),
        (WidgetSpec(name=_("New and churned customers by month"), kind="new_and_churned",
                    date_range="last_12_months"), 6),
    ]
    if RFM_SEGMENT_FIELD in field_map("contact"):
        items.append((WidgetSpec(name=_("Customers by RFM segment"), object_key="contact", measure="count",
                                 group_by=RFM_SEGMENT_FIELD, chart_type="pie"), 6))
    items.append((WidgetSpec(name=_("Cohort retention"), kind="cohort_retention", date_range="last_12_months"), 12))
    return items


def _make(preset: str, name: str, specs: list[tuple[WidgetSpec, int]]) -> Dashboard:
    dashboard = dashboards.save_dashboard(None, name, shared=True, user_id=None)
    dashboard.preset = preset
    for spec, width in specs:
        try:
            widget = save_widget(None, spec, None)
        except InputError as exc:  # a module that is off leaves its widget out, not the dashboard
            log.info("default widget %s left out: %s", spec.name, exc.fields or exc.message)
            continue
        dashboards.add_tile(dashboard, widget, width=width)
    return dashboard


def ensure_default_dashboards() -> None:
    """Create the sales and customer dashboards of the workspace in context unless they exist.
    Their names are data once made: in the language of whoever created the workspace."""
    presets = set(db.session.scalars(select(Dashboard.preset).where(Dashboard.preset.is_not(None))))
    if "sales" not in presets:
        _make("sales", _("Sales"), sales_widgets())
    if "customers" not in presets:
        _make("customers", _("Customers"), customer_widgets())
    db.session.flush()


def add_rfm_widget() -> None:
    """Put the RFM segment widget on the customer dashboard once the field exists (the demo's
    value module fills it after the dashboards were made)."""
    from saas.modules.analytics.models import Widget

    if RFM_SEGMENT_FIELD not in field_map("contact"):
        return
    if db.session.scalar(select(Widget.id).where(Widget.group_by == RFM_SEGMENT_FIELD)):
        return
    dashboard = db.session.scalar(select(Dashboard).where(Dashboard.preset == "customers"))
    if dashboard is None:
        return
    widget = save_widget(None, WidgetSpec(name=_("Customers by RFM segment"), object_key="contact",
                                          measure="count", group_by=RFM_SEGMENT_FIELD, chart_type="pie"), None)
    dashboards.add_tile(dashboard, widget, width=6)
