"""The benchmark runner: statistics, the table, the arguments, and a tiny run on PostgreSQL.
Correctness only: no figure is checked."""
from __future__ import annotations

import pytest

from bench.measure import Row, Stats, Target, percentile
from bench.report import RunInfo, markdown, terminal_table
from bench.runner import main, parse_args
from tests.conftest import ON_POSTGRES


def test_percentile_and_stats():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == 10
    assert percentile([1, 2, 3, 4], 50) == 2
    stats = Stats.of([5, 1, 3])
    assert (stats.median, stats.p95, stats.n) == (3, 5, 3)


def test_rows_ratios_targets_and_tables():
    row = Row("list", "page 200", "ms", Stats(2.0, 3.0, 10), Stats(1.0, 1.5, 10), "raw SQL",
              Target("ratio_max", 1.5), "a note")
    assert row.ratio == 2.0 and row.met is False
    assert Row("http", "rps", "req/s", Stats.single(120), target=Target("min", 100)).met is True
    text = terminal_table([row])
    assert "page 200" in text and "2.00x" in text and "a note" in text
    page = markdown([row], RunInfo(scale="tiny", seed=1, dataset="3 workspaces"))
    assert "| list | page 200 | 2.00 ms | 3.00 ms | raw SQL |" in page
    assert "Scale: `tiny`" in page and "Machine:" in page


def test_unknown_benchmark_is_refused():
    with pytest.raises(SystemExit):
        parse_args(["nonsense"])
    assert parse_args(["list", "rls", "--scale", "tiny"]).names == ["list", "rls"]


@pytest.mark.skipif(not ON_POSTGRES, reason="the runner generates its data with COPY, which is PostgreSQL-only")
def test_tiny_run_writes_the_table(app, database, tmp_path):
    results = tmp_path / "latest.md"
    code = main(["list", "scoping", "rls", "--scale", "tiny", "--database-url", database["app_url"],
                 "--owner-url", database["owner_url"], "--redis-url", "", "--results", str(results), "--quiet"])
    assert code == 0
    page = results.read_text()
    for group in ("| list |", "| scoping |", "| rls |"):
        assert group in page
    assert "failed" not in page
