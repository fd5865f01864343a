"""Funnels: conversion between the stages of a deal pipeline, and between lifecycle stages, for a
chosen period. Offered as widget types (see plugin.widget_types)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import plotly.graph_objects as go
from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.extensions import db
from saas.metadata.aggregate import Grouping, aggregate
from saas.metadata.query import Filter
from saas.modules.analytics.periods import Period
from saas.modules.analytics.queries import list_url


def _share(n: int, previous: int | None) -> float | None:
    return round(100 * n / previous, 1) if previous else None


def pipeline_funnel(options: dict, period: Period) -> dict:
    """Deals created in the period that reached each open or won stage of a pipeline.

    A deal reached a stage when it is in it or in a later open or won stage now; a lost deal counts
    for the first stage only (where it was lost is not kept per deal)."""
    from saas.metadata import pipelines

    pipeline = None
    if options.get("pipeline_id"):
        pipeline = pipelines.get_pipeline(int(options["pipeline_id"]))
    pipeline = pipeline or pipelines.default_pipeline("deal")
    if pipeline is None:
        return {"columns": [_("Stage"), _("Deals"), _("Of the previous stage (%)")], "rows": [],
                "note": _("There is no deal pipeline yet.")}
    filters = [Filter("pipeline", "eq", pipeline.id)]
    if period.start or period.end:
        filters.append(Filter("created_at", "between", period.as_filter_value()))
    counts = {row.keys[0]: int(row.value or 0) for row in aggregate("deal", "count", None, [Grouping("stage")], filters)}
    stages = [s for s in pipeline.stages if s.outcome != "lost"]
    lost = sum(counts.get(s.id, 0) for s in pipeline.stages if s.outcome == "lost")
    reached, running = [], 0
    for stage in reversed(stages):
        running += counts.get(stage.id, 0)
        reached.append(running)
    reached = reached[::-1]
    if reached:
        reached[0] += lost
    rows, links, previous = [], [], None
    for stage, n in zip(stages, reached):
        rows.append([stage.label(), n, _share(n, previous)])
        links.append(list_url("deal", [*filters, Filter("stage", "eq", stage.id)]))
        previous = n
    fig = go.Figure(go.Funnel(y=[r[0] for r in rows], x=[r[1] for r in rows], customdata=links,
                              textinfo="value+percent previous"))
    return {"columns": [_("Stage"), _("Deals"), _("Of the previous stage (%)")], "rows": rows, "links": links,
            "figure": fig}


def _moments(period: Period) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(period.start, time.min, tzinfo=timezone.utc) if period.start else None
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=timezone.utc) if period.end else None
    return start, end


def lifecycle_funnel(options: dict, period: Period) -> dict:
    """Customers who entered each prospect or customer stage of the lifecycle during the period,
    and the share of the previous stage's."""
    from saas.metadata import lifecycle as definitions

    columns = [_("Lifecycle stage"), _("Customers"), _("Of the previous stage (%)")]
    try:
        from saas.modules.lifecycle.models import LifecycleMove
    except ImportError:
        return {"columns": columns, "rows": [], "note": _("The lifecycle module is not installed.")}
    stages = [s for s in definitions.stages() if s.kind in ("prospect", "customer")]
    m = LifecycleMove
    statement = select(m.to_stage, func.count(func.distinct(m.contact_id))).group_by(m.to_stage)
    start, end = _moments(period)
    if start:
        statement = statement.where(m.moved_at >= start)
    if end:
        statement = statement.where(m.moved_at < end)
    entered = dict(db.session.execute(statement).all())
    rows, links, previous = [], [], None
    for stage in stages:
        n = int(entered.get(stage.key, 0))
        rows.append([stage.label(), n, _share(n, previous)])
        links.append(list_url("contact", [Filter("lifecycle_stage", "eq", stage.key)]))
        previous = n
    fig = go.Figure(go.Funnel(y=[r[0] for r in rows], x=[r[1] for r in rows], customdata=links,
                              textinfo="value+percent previous",
                              marker={"color": [s.colour for s in stages]}))
    return {"columns": columns, "rows": rows, "links": links, "figure": fig}
