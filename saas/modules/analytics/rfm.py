"""Customer value from orders: one grouped query per workspace gives every customer's figures, then
recency, frequency and monetary quintile scores (numpy, as SQL's NTILE(5) would), and the scores
name a segment.

Figures per customer, from the orders that happened (not cancelled or refunded):
- purchase days: distinct order dates; BG/NBD's frequency is purchase days minus one (repeat
  purchases), its recency the days from the first to the last, T the days from the first to today;
- orders, total spent; the mean value of the repeat purchase days (Gamma-Gamma's monetary value).

RFM scores are quintiles within the workspace (5 = best): R by the last order date, F by the number
of orders, M by the total spent; ties are broken by contact id so a score never depends on the
order rows happen to come in. The segment is read off R and FM = round((F + M) / 2) by SEGMENT_GRID.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import text

from saas.plugin_api import db

# Orders that did not happen do not count (as in the lifecycle conditions).
NOT_COUNTED_STATUSES = ("cancelled", "refunded")
EPOCH = date(1970, 1, 1)


def L(en: str, hans: str, hant: str) -> dict:
    return {"en": en, "zh_Hans": hans, "zh_Hant": hant}


# Segment keys, best first, with their names in every UI language and what they mean.
SEGMENTS: dict[str, dict] = {
    "champions": L("Champions", "冠军客户", "冠軍客戶"),
    "loyal": L("Loyal", "忠诚客户", "忠誠客戶"),
    "potential_loyalist": L("Potential loyalist", "潜力客户", "潛力客戶"),
    "new": L("New", "新客户", "新客戶"),
    "at_risk": L("At risk", "流失风险客户", "流失風險客戶"),
    "cant_lose": L("Can't lose", "重要挽留客户", "重要挽留客戶"),
    "hibernating": L("Hibernating", "沉睡客户", "沉睡客戶"),
    "lost": L("Lost", "已流失客户", "已流失客戶"),
}

# SEGMENT_GRID[R - 1][FM - 1]: rows are recency scores 1..5, columns FM scores 1..5.
SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("lost", "lost", "at_risk", "cant_lose", "cant_lose"),                                   # R 1
    ("hibernating", "hibernating", "at_risk", "at_risk", "at_risk"),                        # R 2
    ("potential_loyalist", "potential_loyalist", "loyal", "loyal", "loyal"),                # R 3
    ("potential_loyalist", "potential_loyalist", "loyal", "champions", "champions"),        # R 4
    ("new", "potential_loyalist", "loyal", "champions", "champions"),                       # R 5
)


def segment_of(r: int, f: int, m: int) -> str:
    """The segment of one customer's R, F and M scores (1..5)."""
    return SEGMENT_GRID[r - 1][(f + m + 1) // 2 - 1]


def segments_of(r: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Segments of arrays of scores, vectorised."""
    grid = np.array(SEGMENT_GRID, dtype=object)
    return grid[np.asarray(r, dtype=int) - 1, (np.asarray(f, dtype=int) + np.asarray(m, dtype=int) + 1) // 2 - 1]


@dataclass
class CustomerFigures:
    """Per-customer figures of a workspace, as parallel numpy arrays (one entry per customer)."""

    today: date
    contact_id: np.ndarray
    purchase_days: np.ndarray
    orders: np.ndarray
    first_day: np.ndarray           # days since 1970-01-01
    last_day: np.ndarray
    total: np.ndarray
    repeat_total: np.ndarray
    r_score: np.ndarray
    f_score: np.ndarray
    m_score: np.ndarray

    def __len__(self) -> int:
        return int(self.contact_id.size)

    @property
    def frequency(self) -> np.ndarray:
        """Repeat purchases: purchase days after the first (BG/NBD's x)."""
        return self.purchase_days - 1

    @property
    def recency(self) -> np.ndarray:
        """Days from the first to the last purchase (BG/NBD's t_x)."""
        return self.last_day - self.first_day

    @property
    def age(self) -> np.ndarray:
        """Days from the first purchase to the end of today (BG/NBD's T; at least 1)."""
        return (self.today - EPOCH).days + 1 - self.first_day

    @property
    def monetary_value(self) -> np.ndarray:
        """Mean value of the repeat purchase days (0 without repeats): Gamma-Gamma's m."""
        repeats = self.frequency
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(repeats > 0, self.repeat_total / np.maximum(repeats, 1), 0.0)

    @property
    def days_since_last(self) -> np.ndarray:
        return (self.today - EPOCH).days - self.last_day

    @property
    def segments(self) -> np.ndarray:
        return segments_of(self.r_score, self.f_score, self.m_score)

    @property
    def scores(self) -> list[str]:
        """Score strings R, F, M such as 545."""
        return [f"{r}{f}{m}" for r, f, m in zip(self.r_score.tolist(), self.f_score.tolist(), self.m_score.tolist())]


def _figures_sql(pg: bool) -> str:
    day = "(ordered_on - DATE '1970-01-01')" if pg else "CAST(julianday(ordered_on) - 2440587.5 AS INTEGER)"
    real = "DOUBLE PRECISION" if pg else "REAL"
    statuses = ", ".join(f"'{s}'" for s in NOT_COUNTED_STATUSES)
    tenant, today = ("%(tenant)s", "%(today)s") if pg else (":tenant", ":today")
    # The first purchase day's value, which Gamma-Gamma leaves out: PostgreSQL takes it from the
    # smallest [day, value] pair, in the same pass; SQLite numbers the days.
    first_value = "(MIN(ARRAY[day, value]))[2]" if pg else "SUM(CASE WHEN k = 1 THEN value ELSE 0 END)"
    numbered = "" if pg else ", ROW_NUMBER() OVER (PARTITION BY contact_id ORDER BY ordered_on) AS k"
    # One pass over the workspace's orders (in the order of its (tenant, contact, date) index):
    # purchase days per customer, then customers.
    return f"""
    WITH daily AS (
        SELECT contact_id, {day} AS day, SUM(amount) AS value, COUNT(*) AS n{numbered}
        FROM orders
        WHERE tenant_id = {tenant} AND contact_id IS NOT NULL AND ordered_on <= {today}
          AND status NOT IN ({statuses})
        GROUP BY contact_id, ordered_on
    )
    SELECT contact_id, COUNT(*) AS purchase_days, SUM(n) AS orders, MIN(day) AS first_day,
           MAX(day) AS last_day, CAST(SUM(value) AS {real}) AS total,
           CAST(SUM(value) - {first_value} AS {real}) AS repeat_total
    FROM daily GROUP BY contact_id ORDER BY contact_id
    """


def quintiles(key: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Scores 1..5 as NTILE(5) OVER (ORDER BY key, tie): the rows in that order cut into five
    buckets whose sizes differ by at most one, the larger ones first."""
    n = key.size
    order = np.lexsort((tie, key))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    size, larger = divmod(n, 5)
    cut = larger * (size + 1)               # rows in the larger buckets
    return np.where(rank < cut, rank // (size + 1), larger + (rank - cut) // max(size, 1)) + 1


def customer_figures(today: date | None = None) -> CustomerFigures:
    """Every customer's figures and RFM scores in the workspace in context: one grouped query."""
    from saas.plugin_api import current_workspace

    today = today or date.today()
    pg = db.session.get_bind().dialect.name == "postgresql"
    # The tenant condition is explicit: a text query is not scoped by the ORM (RLS still holds).
    # Read through the driver's cursor, in the session's transaction: plain tuples straight into
    # numpy (SQLAlchemy rows cost a second per 100,000 customers here).
    cursor = db.session.connection().connection.driver_connection.cursor()
    try:
        cursor.execute(_figures_sql(pg), {"tenant": current_workspace().id, "today": today if pg else today.isoformat()})
        rows = cursor.fetchall()
    finally:
        cursor.close()
    data = np.array(rows, dtype=float).reshape(len(rows), 7)
    contact_id, purchase_days, orders, first_day, last_day = (data[:, i].astype(np.int64) for i in range(5))
    total, repeat_total = data[:, 5], data[:, 6]
    return CustomerFigures(today, contact_id, purchase_days, orders, first_day, last_day, total, repeat_total,
                           r_score=quintiles(last_day, contact_id), f_score=quintiles(orders, contact_id),
                           m_score=quintiles(total, contact_id))


def segment_summary(figures: CustomerFigures, clv: np.ndarray | None = None) -> dict[str, dict]:
    """Per segment: customers, total spent, mean days since the last order, mean orders, and the
    summed predicted CLV when given. Every segment is present (zeros when empty)."""
    segments = figures.segments if len(figures) else np.array([], dtype=object)
    summary = {}
    for key in SEGMENTS:
        mask = segments == key
        n = int(mask.sum())
        summary[key] = {
            "customers": n,
            "revenue": round(float(figures.total[mask].sum()), 2) if n else 0.0,
            "recency_days": round(float(figures.days_since_last[mask].mean()), 1) if n else None,
            "orders": round(float(figures.orders[mask].mean()), 2) if n else None,
            "clv": round(float(np.nansum(clv[mask])), 2) if (clv is not None and n) else None,
        }
    return summary
