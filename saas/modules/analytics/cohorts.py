"""Cohorts: customers grouped by the month of their first order, and the share of each cohort
still ordering n months later, as a heat map; and new against churned customers by month."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import plotly.graph_objects as go
from flask_babel import gettext as _

from saas.extensions import db
from saas.metadata.aggregate import Grouping, aggregate, next_bucket
from saas.metadata.query import Filter
from saas.modules.analytics.periods import Period, resolve, today
from saas.modules.analytics.queries import bucket_label, list_url

# Orders that count as buying: not the cancelled or refunded ones.
BUYING = ["pending", "paid", "shipped", "completed"]
MAX_MONTHS = 24


def _months_between(first: date, later: date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def retention(options: dict, period: Period) -> dict:
    """Cohorts by first order month (those starting in the period; default the last 12 months)."""
    if not period.start and not period.end:
        period = resolve("last_12_months")
    pairs = aggregate("order", "count", None, [Grouping("contact"), Grouping("ordered_on", "month")],
                      [Filter("status", "in", BUYING), Filter("contact", "not_empty")])
    months_of: dict[int, set[date]] = defaultdict(set)
    for row in pairs:
        if row.keys[0] is not None and row.keys[1] is not None:
            months_of[row.keys[0]].add(row.keys[1])
    cohorts: dict[date, list[set[date]]] = defaultdict(list)
    for months in months_of.values():
        first = min(months)
        if (period.start is None or first >= period.start.replace(day=1)) and (period.end is None or first <= period.end):
            cohorts[first].append(months)
    last_month = (period.end or today()).replace(day=1)
    span = min(MAX_MONTHS, max((_months_between(c, last_month) for c in cohorts), default=0) + 1)
    columns = [_("Cohort"), _("Customers")] + [_("Month %(n)d", n=n) for n in range(span)]
    rows, z = [], []
    for cohort in sorted(cohorts):
        members = cohorts[cohort]
        shares = []
        for n in range(span):
            month = _add(cohort, n)
            if month > last_month:
                shares.append(None)
            else:
                shares.append(round(100 * sum(1 for m in members if month in m) / len(members), 1))
        rows.append([bucket_label(cohort, "month"), len(members), *shares])
        z.append(shares)
    fig = go.Figure(go.Heatmap(z=z, x=columns[2:], y=[r[0] for r in rows], colorscale="Greens", zmin=0, zmax=100,
                               hovertemplate="%{y} · %{x}: %{z}%<extra></extra>", texttemplate="%{z}"))
    fig.update_yaxes(autorange="reversed")
    return {"columns": columns, "rows": rows, "figure": fig,
            "note": _("Share of each month's new customers who ordered again n months later (%).")}


def _add(month: date, n: int) -> date:
    for _i in range(n):
        month = next_bucket(month, "month")
    return month


def new_and_churned(options: dict, period: Period) -> dict:
    """Customers created and customers who moved to a lost lifecycle stage, by month."""
    from saas.metadata import lifecycle as definitions

    if not period.start:
        period = resolve("last_12_months")
    filters = [Filter("created_at", "between", period.as_filter_value())]
    new = {row.keys[0]: int(row.value or 0) for row in
           aggregate("contact", "count", None, [Grouping("created_at", "month")], filters)}
    churned: dict[date, int] = {}
    lost = [s.key for s in definitions.stages() if s.kind == "lost"]
    try:
        from saas.modules.lifecycle.models import LifecycleMove
    except ImportError:
        LifecycleMove = None
    if lost and LifecycleMove is not None:
        from saas.metadata.aggregate import bucket_expression
        from saas.metadata.query import dialect
        from sqlalchemy import func, literal_column, select

        from saas.modules.analytics.funnel import _moments

        m = LifecycleMove
        start, end = _moments(period)
        moved = _MovedAt()
        bucket = bucket_expression(m, moved, "month", dialect() == "postgresql")
        statement = (select(bucket, func.count(func.distinct(m.contact_id))).where(m.to_stage.in_(lost))
                     .group_by(literal_column("1")))
        if start:
            statement = statement.where(m.moved_at >= start)
        if end:
            statement = statement.where(m.moved_at < end)
        for month, n in db.session.execute(statement):
            if isinstance(month, str):
                month = date.fromisoformat(month[:10])
            elif isinstance(month, datetime):
                month = month.date()
            churned[month] = int(n)
    months, day = [], period.start.replace(day=1)
    while day <= (period.end or today()):
        months.append(day)
        day = next_bucket(day, "month")
    labels = [bucket_label(mo, "month") for mo in months]
    new_links = [list_url("contact", [Filter("created_at", "between",
                                             [mo.isoformat(), (next_bucket(mo, "month") - timedelta(days=1)).isoformat()])])
                 for mo in months]
    fig = go.Figure([go.Bar(x=labels, y=[new.get(mo, 0) for mo in months], name=_("New customers"),
                            customdata=new_links, marker_color="#10b981"),
                     go.Bar(x=labels, y=[churned.get(mo, 0) for mo in months], name=_("Churned"),
                            marker_color="#ef4444")])
    fig.update_layout(barmode="group", legend={"orientation": "h"})
    rows = [[label, new.get(mo, 0), churned.get(mo, 0)] for label, mo in zip(labels, months)]
    return {"columns": [_("Month"), _("New customers"), _("Churned")], "rows": rows, "links": new_links,
            "figure": fig}


class _MovedAt:
    """The moves' time column seen as a datetime field, for the aggregation builder's buckets."""

    column, kind, key = "moved_at", "datetime", "moved_at"
