"""Running the same SQL the way each benchmark compares it: raw psycopg as a given role, in a
transaction that passes the tenant to PostgreSQL like the app does (one set_config, then the query)."""
from __future__ import annotations

from typing import Callable

import psycopg


def raw_query(conn: psycopg.Connection, tenant_id: int, sql: str,
              params: Callable[[], tuple] | tuple = ()) -> Callable[[], list]:
    """A callable running `sql` in its own transaction for `tenant_id` and returning every row."""
    def run() -> list:
        with conn.transaction():
            conn.execute("select set_config('app.tenant_id', %s, true)", (str(tenant_id),))
            rows = conn.execute(sql, params() if callable(params) else params).fetchall()
        return rows
    return run


def cycle(values: list) -> Callable[[], object]:
    """Each call returns the next value, round and round (different records, same work)."""
    state = {"i": -1}

    def next_value():
        state["i"] = (state["i"] + 1) % len(values)
        return values[state["i"]]
    return next_value
