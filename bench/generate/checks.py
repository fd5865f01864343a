"""Set-based checks of generated data: every foreign key holds, whether or not triggers ran."""
from __future__ import annotations

import psycopg


def broken_references(conn: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    """Rows of `tables` whose foreign key (composite same-tenant ones included) points at nothing."""
    constraints = conn.execute(
        """select con.conname, child.relname, parent.relname,
                  array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
                        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i),
                  array(select a.attname from unnest(con.confkey) with ordinality k(n, i)
                        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)
           from pg_constraint con
           join pg_class child on child.oid = con.conrelid
           join pg_class parent on parent.oid = con.confrelid
           where con.contype = 'f' and child.relname = any(%s)""", (tables,)).fetchall()
    broken = {}
    for name, child, parent, child_cols, parent_cols in constraints:
        present = " and ".join(f'c."{col}" is not null' for col in child_cols)
        match = " and ".join(f'p."{pc}" = c."{cc}"' for cc, pc in zip(child_cols, parent_cols))
        count = conn.execute(
            f'select count(*) from "{child}" c where {present} '
            f'and not exists (select 1 from "{parent}" p where {match})').fetchone()[0]
        if count:
            broken[name] = count
    return broken
