"""The import benchmark at the tiny scale: it runs, and prints its three figures (no figure is checked)."""
from __future__ import annotations

import pytest

from bench.runner import main
from tests.conftest import ON_POSTGRES


@pytest.mark.skipif(not ON_POSTGRES, reason="the benchmark compares with PostgreSQL COPY")
def test_the_import_benchmark_runs(app, database, tmp_path):
    results = tmp_path / "import.md"
    code = main(["import", "--scale", "tiny", "--database-url", database["app_url"], "--owner-url",
                 database["owner_url"], "--redis-url", "", "--results", str(results), "--quiet"])
    assert code == 0
    page = results.read_text()
    assert "| import | import of 300 contacts: time |" in page
    assert "| import | import throughput |" in page
    assert "| memory | import process peak RSS |" in page
    assert "failed" not in page
