"""The results table: printed on the terminal and written as Markdown to bench/results/latest.md."""
from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench.measure import Row, Stats

RESULTS_DIR = Path(__file__).resolve().parent / "results"
HEADER = ("Benchmark", "Figure", "Median", "p95", "Baseline (same run)", "Base median", "Base p95", "Ratio",
          "Target", "Met")


@dataclass
class RunInfo:
    scale: str
    seed: int
    dataset: str
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    postgres: str = ""
    extra: list[str] = field(default_factory=list)


def machine_summary() -> str:
    """CPU model and count, memory, OS and Python: enough to compare runs between machines."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        memory = "RAM unknown"
    return (f"{cpu}, {os.cpu_count()} CPUs, {memory}, {platform.system()}, "
            f"Python {platform.python_version()}")


def _num(value: float) -> str:
    if value != value:  # NaN
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cells(row: Row) -> tuple[str, ...]:
    def stat(s: Stats | None, which: str) -> str:
        if s is None:
            return ""
        value = s.median if which == "median" else s.p95
        if which == "p95" and s.n == 1:
            return ""
        return f"{_num(value)} {row.unit}"

    met = {True: "yes", False: "NO", None: ""}[row.met]
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
    return (row.benchmark, row.name, stat(row.figure, "median"), stat(row.figure, "p95"), row.baseline_name,
            stat(row.baseline, "median"), stat(row.baseline, "p95"), ratio, str(row.target or ""), met)


def terminal_table(rows: list[Row]) -> str:
    """The table as aligned text, notes below it."""
    lines = [HEADER, *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  [{r.benchmark}] {r.name}: {r.note}" for r in rows if r.note]
    return "\n".join(out + (["", "Notes:"] + notes if notes else []))


def markdown(rows: list[Row], info: RunInfo) -> str:
    """The whole results page: when, where, at which scale, the table, the notes."""
    def escape(cell: str) -> str:
        return cell.replace("|", "\\|")

    head = [
        "# Benchmark results (latest run)",
        "",
        f"- Date: {info.started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine_summary()}",
        *([f"- PostgreSQL: {info.postgres}"] if info.postgres else []),
        f"- Scale: `{info.scale}`, seed {info.seed}; data: {info.dataset}",
        *[f"- {line}" for line in info.extra],
        "",
        "Figure and baseline are measured in the same run; ratio = figure median / baseline median. "
        "Each query figure is the median and 95th percentile of repeated timed runs after warm-up runs. "
        "Produced by `python -m bench`; see the Benchmarks section of the README.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    body = ["| " + " | ".join(escape(c) for c in _cells(r)) + " |" for r in rows]
    notes = [f"- **{r.benchmark} · {r.name}**: {r.note}" for r in rows if r.note]
    return "\n".join(head + body + (["", "Notes:", ""] + notes if notes else [])) + "\n"


def write_markdown(rows: list[Row], info: RunInfo, path: Path | None = None) -> Path:
    """Write the page atomically (a .tmp file renamed), so a reader never sees half a table."""
    path = path or RESULTS_DIR / "latest.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(markdown(rows, info), encoding="utf-8")
    tmp.replace(path)
    return path
