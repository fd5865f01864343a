"""(b) The cost of ORM tenant scoping: the scoped ORM query against the same raw SQL, and against
the ORM with the scoping listener switched off and the tenant filter written by hand."""
from __future__ import annotations

from bench.benchmarks.sql import cycle, raw_query
from bench.context import BenchContext
from bench.measure import Row, Target, time_pair_ms

COLUMNS = ("id, name, email, phone, title, company_id, tags, lifecycle_stage, custom, created_at, updated_at, "
           "owner_id, tenant_id")


def _sample_ids(ctx: BenchContext, tenant_id: int, n: int = 200) -> list[int]:
    with ctx.connect("owner") as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(tenant_id),))
        return [r[0] for r in conn.execute(
            "select id from contacts where tenant_id = %s order by md5(id::text) limit %s", (tenant_id, n))]


def run(ctx: BenchContext) -> list[Row]:
    """Rows: one record by id, and a first list page of 50 records, each three ways."""
    from sqlalchemy import select

    from saas.extensions import db
    from saas.modules.core.models import Contact
    from saas.tenants.context import tenant_context

    tid = ctx.largest.tenant_id
    warmup, repeat = ctx.timed()
    next_id = cycle(_sample_ids(ctx, tid))
    app = ctx.app

    def orm(statement_for, scoped: bool = True):
        def run_once():
            with app.app_context(), tenant_context(tid):
                statement = statement_for()
                if not scoped:
                    statement = statement.where(Contact.tenant_id == tid).execution_options(skip_tenant_scope=True)
                result = db.session.scalars(statement).all()
                db.session.remove()
                return result
        return run_once

    def by_id():
        return select(Contact).where(Contact.id == next_id())

    def first_page():
        return select(Contact).order_by(Contact.name, Contact.id).limit(50)

    rows = []
    note = "ORM loads Contact objects in an app context; raw SQL fetches the same columns as the app role"
    with ctx.connect("app") as conn:
        record_raw = raw_query(conn, tid, f"select {COLUMNS} from contacts where tenant_id = %s and id = %s",
                               lambda: (tid, next_id()))
        list_raw = raw_query(conn, tid, f"select {COLUMNS} from contacts where tenant_id = %s order by name, id limit 50",
                             (tid,))
        for label, statement_for, raw in (("one contact by id", by_id, record_raw),
                                          ("first page of 50 contacts", first_page, list_raw)):
            scoped, raw_s = time_pair_ms(orm(statement_for), raw, warmup, repeat)
            rows.append(Row("scoping", f"{label}: scoped ORM vs raw SQL", "ms", scoped, raw_s, "raw SQL",
                            Target("ratio_max", 3.0), note if not rows else ""))
            scoped2, manual = time_pair_ms(orm(statement_for), orm(statement_for, scoped=False), warmup, repeat)
            rows.append(Row("scoping", f"{label}: scoped ORM vs ORM with a hand-written filter", "ms", scoped2, manual,
                            "unscoped ORM", Target("ratio_max", 1.1),
                            "the scoping listener's own cost (with_loader_criteria per query)" if len(rows) == 1 else ""))
    return rows
