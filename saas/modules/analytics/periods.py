"""Date ranges of widgets and dashboards: fixed (from, to) or relative to today (last 30 days,
this quarter ...), each with the period just before it for a KPI's change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l

from saas.metadata.aggregate import bucket_start, next_bucket

RANGES = {
    "all": _l("All time"),
    "today": _l("Today"),
    "last_7_days": _l("Last 7 days"),
    "last_30_days": _l("Last 30 days"),
    "last_90_days": _l("Last 90 days"),
    "last_12_months": _l("Last 12 months"),
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "last_quarter": _l("Last quarter"),
    "this_year": _l("This year"),
    "last_year": _l("Last year"),
    "next_90_days": _l("Next 90 days"),
    "next_12_months": _l("Next 12 months"),
    "fixed": _l("Fixed dates"),
}


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included; None on a side means open."""

    start: date | None
    end: date | None

    @property
    def bounded(self) -> bool:
        return self.start is not None and self.end is not None

    def previous(self) -> "Period | None":
        """The period just before this one: the previous month, quarter or year for a calendar
        one (whole, or running to date: the same days of it), else the same number of days."""
        if not self.bounded or self.end < self.start:
            return None
        for bucket in ("month", "quarter", "year"):
            if self.start != bucket_start(self.start, bucket) or bucket_start(self.end, bucket) != self.start:
                continue
            before = _back(self.start, bucket)
            last = next_bucket(before, bucket) - timedelta(days=1)
            if self.end == next_bucket(self.start, bucket) - timedelta(days=1):
                return Period(before, last)
            return Period(before, min(last, before + (self.end - self.start)))
        length = self.end - self.start + timedelta(days=1)
        return Period(self.start - length, self.start - timedelta(days=1))

    def as_filter_value(self) -> list[str | None]:
        return [self.start.isoformat() if self.start else None, self.end.isoformat() if self.end else None]


def _back(start: date, bucket: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[bucket]
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def today() -> date:
    return datetime.now(timezone.utc).date()


def resolve(kind: str | None, date_from: str | None = None, date_to: str | None = None,
            on: date | None = None) -> Period:
    """The period a range names, seen from `on` (default: today, UTC)."""
    on = on or today()
    if kind == "fixed":
        return Period(_parse(date_from), _parse(date_to))
    if kind in (None, "", "all"):
        return Period(None, None)
    if kind == "today":
        return Period(on, on)
    if kind.startswith("last_") and kind.endswith("_days"):
        days = int(kind.split("_")[1])
        return Period(on - timedelta(days=days - 1), on)
    if kind == "last_12_months":
        start = _back(bucket_start(on, "month"), "year")
        return Period(next_bucket(start, "month"), on)
    if kind.startswith("this_"):
        bucket = kind[5:]
        return Period(bucket_start(on, bucket), on)
    if kind.startswith("last_"):
        bucket = kind[5:]
        start = _back(bucket_start(on, bucket), bucket)
        return Period(start, next_bucket(start, bucket) - timedelta(days=1))
    if kind == "next_90_days":
        return Period(on, on + timedelta(days=89))
    if kind == "next_12_months":
        start = bucket_start(on, "month")
        return Period(start, date(start.year + 1, start.month, 1) - timedelta(days=1))
    raise ValueError(f"unknown range {kind!r}")


def _parse(value: str | None) -> date | None:
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])
