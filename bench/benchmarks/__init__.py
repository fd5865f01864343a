"""The benchmarks, by name: each takes a BenchContext and returns rows of the results table.

To add one, write `run(ctx) -> list[Row]` in a module here and list it below.
"""
from __future__ import annotations

from typing import Callable

from bench.context import BenchContext
from bench.measure import Row


def _lazy(module: str) -> Callable[[BenchContext], list[Row]]:
    def run(ctx: BenchContext) -> list[Row]:
        import importlib

        return importlib.import_module(f"bench.benchmarks.{module}").run(ctx)
    return run


BENCHMARKS: dict[str, tuple[str, Callable[[BenchContext], list[Row]]]] = {
    "list": ("contact list page: query builder vs raw SQL, keyset page 200, custom field with/without index",
             _lazy("list_query")),
    "scoping": ("ORM tenant scoping vs raw SQL and vs a hand-written filter", _lazy("scoping")),
    "rls": ("row-level security: app role vs owner", _lazy("rls")),
    "http": ("HTTP load from wrk on loopback against gunicorn; web worker peak RSS", _lazy("http_load")),
    "jobs": ("rq worker peak RSS after the largest job", _lazy("jobs")),
    "customer_value": ("fitting BG/NBD and Gamma-Gamma for a workspace of 100,000 customers: orders read to "
                       "predictions written", _lazy("customer_value")),
    "widgets": ("report widget: custom select × month sum over deals vs hand-written SQL; cached fragment p95",
                _lazy("widgets")),
    "lifecycle": ("full lifecycle re-evaluation of 1,000,000 customers, 8,000,000 orders, 6 rules vs one "
                  "hand-written UPDATE", _lazy("lifecycle")),
    "api": ("API list with a custom-field filter under wrk load vs the app's trivial JSON route (2 gunicorn "
            "workers)", _lazy("api_load")),
    "import": ("import job: 1,000,000 contacts from CSV (10 columns, 5 custom) vs COPY of the same file; "
               "import process peak RSS", _lazy("imports")),
}
