"""Lifecycle analytics from the history of moves: stage counts over time, conversion between
stages, median time in stage and churn rate by month; each as figures and a plotly chart.

Counts at the end of a month are the running sum of the month's net flows (moves in minus moves
out), grouped in SQL; the customers' paths are never loaded one by one."""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.lifecycle.models import LifecycleMove

MONTHS = 12


def _month(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _months_back(today: date, n: int) -> list[str]:
    out, year, month = [], today.year, today.month
    for _i in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


@dataclass
class Analytics:
    months: list[str]
    stages: list                      # LifecycleStage, in order
    counts: dict[str, list[int]]      # stage key -> customers at the end of each month
    reached: dict[str, int]           # stage key -> customers who ever entered it
    transitions: list[tuple[str | None, str, int]]
    median_days: dict[str, float | None]
    churn: list[tuple[str, int, int, float | None]]   # (month, churned, customers at start, rate %)


def compute(months: int = MONTHS, today: date | None = None) -> Analytics:
    """Every figure of the analytics page for the workspace in context."""
    today = today or datetime.now(timezone.utc).date()
    stages = definitions.stages()
    keys = [s.key for s in stages]
    window = _months_back(today, months)
    m = LifecycleMove

    flows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    month_in = _month(m.moved_at)
    for month, key, n in db.session.execute(select(month_in, m.to_stage, func.count()).group_by(month_in, m.to_stage)):
        flows[month][key] += n
    for month, key, n in db.session.execute(select(month_in, m.from_stage, func.count())
                                            .where(m.from_stage.is_not(None)).group_by(month_in, m.from_stage)):
        flows[month][key] -= n
    running: dict[str, int] = defaultdict(int)
    counts = {k: [] for k in keys}
    at_month_start: dict[str, dict[str, int]] = {}
    for month in sorted(set(flows) | set(window)):
        if month in window:
            at_month_start[month] = dict(running)
        for key, delta in flows.get(month, {}).items():
            running[key] += delta
        if month in window:
            for key in keys:
                counts[key].append(max(0, running.get(key, 0)))

    reached = {k: 0 for k in keys}
    for key, n in db.session.execute(select(m.to_stage, func.count(func.distinct(m.contact_id))).group_by(m.to_stage)):
        if key in reached:
            reached[key] = n
    transitions = [(a, b, n) for a, b, n in db.session.execute(
        select(m.from_stage, m.to_stage, func.count()).group_by(m.from_stage, m.to_stage)
        .order_by(func.count().desc()).limit(30))]

    next_move = func.lead(m.moved_at).over(partition_by=m.contact_id, order_by=(m.moved_at, m.id))
    stays = select(m.to_stage.label("stage"), m.moved_at.label("start"), next_move.label("end")).subquery()
    durations: dict[str, list[float]] = defaultdict(list)
    for stage, start, end in db.session.execute(select(stays).where(stays.c.end.is_not(None))):
        start, end = _aware(start), _aware(end)
        durations[stage].append((end - start).total_seconds() / 86400)
    median_days = {k: (round(statistics.median(durations[k]), 1) if durations.get(k) else None) for k in keys}

    lost = {s.key for s in stages if s.kind == "lost"}
    active = {s.key for s in stages if s.kind in ("customer", "at_risk")}
    churned_by_month = dict(db.session.execute(select(month_in, func.count()).where(m.to_stage.in_(lost))
                                               .group_by(month_in)).all()) if lost else {}
    churn = []
    for month in window:
        churned = churned_by_month.get(month, 0)
        base = sum(v for k, v in at_month_start.get(month, {}).items() if k in active)
        churn.append((month, churned or 0, base, round(100 * churned / base, 1) if base else None))
    return Analytics(window, stages, counts, reached, transitions, median_days, churn)


def _aware(moment):
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def charts(a: Analytics) -> dict[str, str]:
    """The four charts as HTML fragments (plotly.js comes from the page's head)."""
    import plotly.graph_objects as go

    from saas.web.charts import render

    counts = go.Figure()
    for stage in a.stages:
        counts.add_trace(go.Scatter(x=a.months, y=a.counts[stage.key], name=stage.label(), mode="lines",
                                    stackgroup="one", line={"color": stage.colour}))
    counts.update_layout(title=_("Customers per stage at the end of each month"))

    funnel = go.Figure(go.Bar(x=[s.label() for s in a.stages], y=[a.reached[s.key] for s in a.stages],
                              marker_color=[s.colour for s in a.stages]))
    funnel.update_layout(title=_("Customers who reached each stage"))

    medians = go.Figure(go.Bar(x=[s.label() for s in a.stages], y=[a.median_days[s.key] for s in a.stages],
                               marker_color=[s.colour for s in a.stages]))
    medians.update_layout(title=_("Median days in stage"))

    churn = go.Figure(go.Scatter(x=[c[0] for c in a.churn], y=[c[3] for c in a.churn], mode="lines+markers",
                                 line={"color": "#ef4444"}))
    # gettext formats only when given variables; "% {}" turns the catalog's %% into %.
    churn.update_layout(title=_("Churn rate by month (%%)") % {})
    return {name: render(fig, height=320) for name, fig in
            (("counts", counts), ("funnel", funnel), ("medians", medians), ("churn", churn))}


def conversion(a: Analytics) -> list[tuple]:
    """(stage, reached, share of the previous stage's customers in %) in stage order."""
    out, previous = [], None
    for stage in a.stages:
        n = a.reached[stage.key]
        out.append((stage, n, round(100 * n / previous, 1) if previous else None))
        previous = n if stage.kind in ("prospect", "customer") else previous
    return out
