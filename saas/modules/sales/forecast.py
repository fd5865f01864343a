"""The forecast: the weighted pipeline (amount × the stage's win probability) of open deals by
month of expected close and by owner, and won deals against the monthly target. One currency at
a time: amounts in different currencies are never added up."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from saas.plugin_api import InputError, _, db, member_choices, pipelines
from saas.modules.sales.models import OUTCOME_OPEN, OUTCOME_WON, Deal, SalesTarget

CENT = Decimal("0.01")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_from(first: date, count: int) -> list[date]:
    return [add_months(month_start(first), i) for i in range(count)]


@dataclass
class Forecast:
    currency: str
    months: list[date]
    weighted_by_month: dict[date, Decimal]       # open deals closing that month, weighted
    unweighted_by_month: dict[date, Decimal]
    overdue: Decimal                             # open deals expected before the first month, weighted
    undated: Decimal                             # open deals without an expected close date, weighted
    by_owner: list[tuple[str, Decimal, Decimal]]  # (owner name, weighted, unweighted)
    won_by_month: dict[date, Decimal]
    target_by_month: dict[date, Decimal]


def currencies_in_use() -> list[str]:
    """The currencies of the workspace's deals, most used first."""
    rows = db.session.execute(select(Deal.currency, func.count()).group_by(Deal.currency)
                              .order_by(func.count().desc(), Deal.currency)).all()
    return [currency for currency, _count in rows]


def forecast(currency: str, first_month: date, count: int = 12, pipeline_id: int | None = None) -> Forecast:
    """The forecast in `currency` for `count` months from `first_month` (optionally one pipeline)."""
    months = months_from(first_month, count)
    last = add_months(months[-1], 1)
    weighted, unweighted = defaultdict(Decimal), defaultdict(Decimal)
    owner_weighted, owner_unweighted = defaultdict(Decimal), defaultdict(Decimal)
    overdue = undated = Decimal(0)
    filters = [Deal.currency == currency]
    if pipeline_id:
        filters.append(Deal.pipeline_id == pipeline_id)
    # Only the columns summed: the stage's probability comes along in the same query.
    rows = db.session.execute(
        select(Deal.amount, Deal.expected_close_on, Deal.owner_id, pipelines.Stage.probability)
        .join(pipelines.Stage, (pipelines.Stage.id == Deal.stage_id) & (pipelines.Stage.tenant_id == Deal.tenant_id))
        .where(pipelines.Stage.outcome == OUTCOME_OPEN, *filters))
    for amount, close_on, owner_id, probability in rows:
        amount = Decimal(amount or 0)
        value = amount * probability / 100
        owner_weighted[owner_id] += value
        owner_unweighted[owner_id] += amount
        if close_on is None:
            undated += value
        elif close_on < months[0]:
            overdue += value
        elif close_on < last:
            weighted[month_start(close_on)] += value
            unweighted[month_start(close_on)] += amount
    won = defaultdict(Decimal)
    for amount, closed_on in db.session.execute(
            select(Deal.amount, Deal.closed_on)
            .join(pipelines.Stage, (pipelines.Stage.id == Deal.stage_id) & (pipelines.Stage.tenant_id == Deal.tenant_id))
            .where(pipelines.Stage.outcome == OUTCOME_WON, Deal.closed_on >= months[0], Deal.closed_on < last,
                   *filters)):
        won[month_start(closed_on)] += Decimal(amount or 0)
    targets = {row.month: Decimal(row.amount) for row in db.session.scalars(
        select(SalesTarget).where(SalesTarget.currency == currency, SalesTarget.month >= months[0],
                                  SalesTarget.month < last))}
    names = dict(member_choices())
    by_owner = sorted(((names.get(owner_id) or _("No owner"), owner_weighted[owner_id].quantize(CENT),
                        owner_unweighted[owner_id].quantize(CENT)) for owner_id in owner_weighted),
                      key=lambda row: (-row[1], row[0]))
    return Forecast(currency, months, {m: weighted[m].quantize(CENT) for m in months},
                    {m: unweighted[m].quantize(CENT) for m in months}, overdue.quantize(CENT),
                    undated.quantize(CENT), by_owner, {m: won[m].quantize(CENT) for m in months},
                    {m: targets.get(m, Decimal(0)).quantize(CENT) for m in months})


def set_targets(currency: str, amounts: dict[date, str]) -> None:
    """Set the monthly targets in `currency` ({month: amount as typed}); a blank amount removes one.
    All or nothing: any bad amount raises InputError keyed by "target-YYYY-MM"."""
    errors, parsed = {}, {}
    for month, text in amounts.items():
        text = (text or "").strip().replace(",", "")
        if not text:
            parsed[month] = None
            continue
        try:
            value = Decimal(text)
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite() or value < 0 or value >= Decimal("1e12"):
            errors[f"target-{month:%Y-%m}"] = _("Enter an amount of 0 or more.")
            continue
        parsed[month] = value.quantize(CENT)
    if errors:
        raise InputError(errors)
    existing = {row.month: row for row in db.session.scalars(
        select(SalesTarget).where(SalesTarget.currency == currency, SalesTarget.month.in_(list(parsed))))}
    for month, value in parsed.items():
        row = existing.get(month)
        if value is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(SalesTarget(month=month, currency=currency, amount=value))
        else:
            row.amount = value
    db.session.flush()


def figures(result: Forecast, month_label) -> dict[str, str]:
    """The forecast's plotly charts as HTML fragments: by month, by owner, won against target."""
    import plotly.graph_objects as go

    from saas.plugin_api import render_figure

    labels = [month_label(m) for m in result.months]
    by_month = go.Figure([
        go.Bar(name=str(_("Weighted")), x=labels, y=[float(result.weighted_by_month[m]) for m in result.months]),
        go.Bar(name=str(_("Unweighted")), x=labels, y=[float(result.unweighted_by_month[m]) for m in result.months],
               opacity=0.45),
    ])
    by_month.update_layout(barmode="group", title=str(_("Weighted pipeline by month (%(currency)s)",
                                                       currency=result.currency)))
    owners = go.Figure([go.Bar(x=[float(w) for _n, w, _u in result.by_owner], y=[n for n, _w, _u in result.by_owner],
                               orientation="h", name=str(_("Weighted")))])
    owners.update_layout(title=str(_("Weighted pipeline by owner (%(currency)s)", currency=result.currency)),
                         yaxis={"autorange": "reversed"})
    won = go.Figure([
        go.Bar(name=str(_("Won")), x=labels, y=[float(result.won_by_month[m]) for m in result.months]),
        go.Scatter(name=str(_("Target")), x=labels, y=[float(result.target_by_month[m]) for m in result.months],
                   mode="lines+markers"),
    ])
    won.update_layout(title=str(_("Won against target (%(currency)s)", currency=result.currency)))
    return {"by_month": render_figure(by_month, height=360), "by_owner": render_figure(owners, height=360),
            "won": render_figure(won, height=360)}
