"""Writing generated rows with COPY (psycopg 3's cursor.copy), only into tables and columns that exist."""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import chain
from typing import Iterable

import psycopg
from psycopg import sql


class SkipTable(Exception):
    """The table exists but needs a column its generator does not fill."""


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[str, ...]
    required: frozenset[str]        # NOT NULL and without a default: the generator must fill them


def table_info(conn: psycopg.Connection, table: str) -> TableInfo | None:
    """The table's columns, or None when the table does not exist (its module is not built yet)."""
    rows = conn.execute(
        "select column_name, is_nullable = 'NO' and column_default is null and is_identity = 'NO' "
        "from information_schema.columns where table_schema = current_schema() and table_name = %s "
        "order by ordinal_position", (table,)).fetchall()
    if not rows:
        return None
    return TableInfo(table, tuple(r[0] for r in rows), frozenset(r[0] for r in rows if r[1]))


def _value(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def copy_rows(conn: psycopg.Connection, info: TableInfo, rows: Iterable[dict]) -> int:
    """COPY `rows` into the table; returns how many. Raises SkipTable when a required column is missing."""
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    columns = [c for c in first if c in info.columns]
    missing = info.required - set(columns)
    if missing:
        raise SkipTable(f"{info.name}: the generator does not fill {', '.join(sorted(missing))}")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(info.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in chain((first,), it):
            copy.write_row([_value(row.get(c)) for c in columns])
            count += 1
    return count
