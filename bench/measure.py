"""Timing and the rows of the results table: warm up, repeat, median and p95."""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Stats:
    median: float
    p95: float
    n: int

    @classmethod
    def of(cls, samples: list[float]) -> "Stats":
        ordered = sorted(samples)
        return cls(statistics.median(ordered), percentile(ordered, 95), len(ordered))

    @classmethod
    def single(cls, value: float) -> "Stats":
        return cls(value, value, 1)


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def time_ms(fn: Callable[[], object], warmup: int, repeat: int) -> Stats:
    """Run fn warmup times untimed, then repeat times timed; milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Stats.of(samples)


def time_pair_ms(figure: Callable[[], object], baseline: Callable[[], object], warmup: int,
                 repeat: int) -> tuple[Stats, Stats]:
    """Time two variants interleaved, so drift of the machine hits both alike."""
    for _ in range(warmup):
        figure()
        baseline()
    a, b = [], []
    for _ in range(repeat):
        for fn, samples in ((figure, a), (baseline, b)):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
    return Stats.of(a), Stats.of(b)


@dataclass(frozen=True)
class Target:
    """What a figure should be: `ratio_max`/`ratio_min` bound figure/baseline, `max`/`min` bound the median,
    `p95_max` the 95th percentile."""

    kind: str
    bound: float
    unit: str = ""

    def met(self, row: "Row") -> bool | None:
        if self.kind == "ratio_max":
            return None if row.ratio is None else row.ratio <= self.bound
        if self.kind == "ratio_min":
            return None if row.ratio is None else row.ratio >= self.bound
        if self.kind == "max":
            return row.figure.median <= self.bound
        if self.kind == "p95_max":
            return row.figure.p95 <= self.bound
        if self.kind == "min":
            return row.figure.median >= self.bound
        raise ValueError(self.kind)

    def __str__(self) -> str:
        if self.kind == "ratio_max":
            return f"ratio ≤ {self.bound:g}"
        if self.kind == "ratio_min":
            return f"ratio ≥ {self.bound:g}"
        if self.kind == "p95_max":
            return f"p95 ≤ {self.bound:g} {self.unit}".strip()
        sign = "≤" if self.kind == "max" else "≥"
        return f"{sign} {self.bound:g} {self.unit}".strip()


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    benchmark: str              # the group: list_query, scoping, rls, http, memory
    name: str                   # what was measured
    unit: str
    figure: Stats
    baseline: Stats | None = None
    baseline_name: str = ""
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline.median:
            return None
        return self.figure.median / self.baseline.median

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self)


def phase_timer(phases: dict[str, float]) -> Callable[[str, Callable], Callable]:
    """timed(name, func): func wrapped to add its run time (seconds) to phases[name]."""
    def timed(name: str, func: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
        return wrapper
    return timed
