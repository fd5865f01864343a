"""(c) The cost of row-level security: the same SQL as the app role (RLS forced) and as the owner."""
from __future__ import annotations

from bench.benchmarks.sql import cycle, raw_query
from bench.benchmarks.scoping import _sample_ids
from bench.context import BenchContext
from bench.database import role_bypasses_rls
from bench.measure import Row, Target, time_pair_ms

QUERIES = (
    ("list page: 50 contacts by name",
     "select id, name, email, phone, custom ->> 'tier' from contacts where tenant_id = %s order by name, id limit 50",
     False),
    ("record page: a contact, its orders and activities",
     "select c.id, c.name, c.custom, "
     "(select json_agg(o order by o.ordered_on desc) from (select id, number, ordered_on, amount, status from orders "
     "  where tenant_id = c.tenant_id and contact_id = c.id order by ordered_on desc limit 20) o), "
     "(select json_agg(a order by a.occurred_at desc) from (select id, kind, subject, occurred_at from activities "
     "  where tenant_id = c.tenant_id and contact_id = c.id order by occurred_at desc limit 20) a) "
     "from contacts c where c.tenant_id = %s and c.id = %s",
     True),
    ("report: revenue by month of the largest workspace",
     "select date_trunc('month', ordered_on) m, count(*), sum(amount) from orders where tenant_id = %s "
     "and status in ('paid', 'shipped', 'completed') group by 1 order by 1",
     False),
)


def run(ctx: BenchContext) -> list[Row]:
    """Rows: each query as the app role against the owner role, same run, interleaved."""
    tid = ctx.largest.tenant_id
    warmup, repeat = ctx.timed()
    next_id = cycle(_sample_ids(ctx, tid))
    bypass = role_bypasses_rls(ctx.urls.owner)
    note = ("the owner bypasses RLS (superuser or BYPASSRLS)" if bypass else
            "the owner does NOT bypass RLS (forced on it too): both sides pay for it, the ratio shows no RLS cost")
    from bench.benchmarks import list_query

    list_query._set_index(ctx, True, tid)
    boundary = list_query._boundary(ctx, tid, list_query.SORT_EXPR)
    deep = (f"deep list page: contacts by custom {list_query.SORT_FIELD}, page {boundary[0] if boundary else 1}, "
            "expression index", list_query.SORT_PAGE_SQL, boundary[1:] if boundary else (-1, 0))
    rows = []
    with ctx.connect("app") as app_conn, ctx.connect("owner") as owner_conn:
        for label, sql, needs_id in (*QUERIES, deep):
            params = (lambda: (tid, next_id())) if needs_id is True else (tid, *needs_id) if needs_id else (tid,)
            app_s, owner_s = time_pair_ms(raw_query(app_conn, tid, sql, params), raw_query(owner_conn, tid, sql, params),
                                          warmup, repeat)
            rows.append(Row("rls", f"{label}: app role vs owner", "ms", app_s, owner_s, "owner (no RLS)",
                            Target("ratio_max", 1.2), note if not rows else (
                                "the keyset condition is an index condition under RLS too: the field functions "
                                "are LEAKPROOF (migration 0011)" if sql is deep[1] else "")))
    list_query._set_index(ctx, False, tid)
    return rows
