"""The customer value benchmark at the tiny scale, on the suite's PostgreSQL database (it writes
its data with COPY, which is PostgreSQL-only)."""
from __future__ import annotations

import pytest

from bench.runner import main
from tests.conftest import ON_POSTGRES


@pytest.mark.skipif(not ON_POSTGRES, reason="the benchmark writes its data with COPY (PostgreSQL only)")
def test_tiny_customer_value_benchmark_writes_its_rows(app, database, tmp_path):
    results = tmp_path / "latest.md"
    code = main(["customer_value", "--scale", "tiny", "--database-url", database["app_url"],
                 "--owner-url", database["owner_url"], "--redis-url", "", "--results", str(results), "--quiet"])
    assert code == 0
    page = results.read_text()
    assert "| customer_value | BG/NBD + Gamma-Gamma for 300 customers" in page
    assert "phase: fit BG/NBD" in page and "failed" not in page
