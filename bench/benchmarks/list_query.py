"""(a) The contact list page query: the app's query builder against the raw SQL of the same query,
deep in the list (keyset page 200), on a custom field with and without its expression index."""
from __future__ import annotations

from decimal import Decimal

from bench.benchmarks.sql import raw_query
from bench.context import BenchContext
from bench.measure import Row, Stats, Target, time_pair_ms

PAGE_SIZE = 50
DEEP_PAGE = 200
SORT_FIELD = "annual_spend"                         # a currency field: compared as a number
FILTER = ("source", "eq", "web")                    # a single select, about 40% of the contacts
SHOWN = ("name", "email", "phone", "tier", "annual_spend")
INDEX_NAME = f"bench_ix_contacts_{SORT_FIELD}"

SORT_EXPR = f"((custom ->> '{SORT_FIELD}')::numeric)"
SHOWN_SQL = ("id, name, email, phone, (custom ->> 'tier') as tier, "
             f"((custom ->> 'annual_spend')::numeric) as annual_spend")
SORT_PAGE_SQL = (f"select {SHOWN_SQL}, {SORT_EXPR} as _sort from contacts where tenant_id = %s "
                 f"and {SORT_EXPR} is not null and ({SORT_EXPR}, id) > (%s, %s) "
                 f"order by {SORT_EXPR}, id limit {PAGE_SIZE + 1}")
NAME_PAGE_SQL = (f"select {SHOWN_SQL}, name as _sort from contacts where tenant_id = %s {{filter}} "
                 f"and name is not null and (name, id) > (%s, %s) order by name, id limit {PAGE_SIZE + 1}")
FILTER_SQL = f"and (custom ->> '{FILTER[0]}') = '{FILTER[2]}'"
WHOLE_DOC_SQL = (f"select id, name, email, phone, custom from contacts where tenant_id = %s "
                 f"order by name, id limit {PAGE_SIZE}")
SHOWN_FIRST_PAGE_SQL = f"select {SHOWN_SQL} from contacts where tenant_id = %s order by name, id limit {PAGE_SIZE}"


def index_ddl(tenant_id: int) -> str:
    """The expression index an admin's "filterable" gives the sort field, one per workspace.

    HOOK: when the app builds these indexes itself (a background job in saas/metadata), call that
    instead, so the benchmark measures exactly the index the app makes.
    """
    try:
        from saas.metadata.query import index_expression_sql  # the query builder's own expression
        from types import SimpleNamespace

        expression = index_expression_sql(SimpleNamespace(key=SORT_FIELD, kind="number"))
    except ImportError:
        expression = SORT_EXPR
    return f"create index if not exists {INDEX_NAME} on contacts ({expression}, id) where tenant_id = {tenant_id}"


def _set_index(ctx: BenchContext, present: bool, tenant_id: int) -> None:
    with ctx.connect("owner") as conn:
        conn.autocommit = True
        conn.execute(index_ddl(tenant_id) if present else f"drop index if exists {INDEX_NAME}")
        conn.execute("analyze contacts")


def _boundary(ctx: BenchContext, tenant_id: int, order: str, where: str = "") -> tuple[int, object, object] | None:
    """(page number, sort value, id) of the last row before the deep page; None when the list is short."""
    with ctx.connect("owner") as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(tenant_id),))
        total = conn.execute(f"select count(*) from contacts where tenant_id = %s and {order} is not null {where}",
                             (tenant_id,)).fetchone()[0]
        page = min(DEEP_PAGE, max(1, (total - 1) // PAGE_SIZE + 1))
        if page == 1:
            return None
        row = conn.execute(f"select {order}, id from contacts where tenant_id = %s and {order} is not null {where} "
                           f"order by {order}, id offset %s limit 1", (tenant_id, (page - 1) * PAGE_SIZE - 1)).fetchone()
        return page, row[0], row[1]


class AppPath:
    """The list query as the app runs it: the query builder (saas.metadata.query) in the tenant context."""

    def __init__(self, ctx: BenchContext, tenant_id: int):
        self.ctx, self.tenant_id = ctx, tenant_id
        self.kind = "query builder"
        try:
            from saas.metadata import query  # noqa: F401
        except ImportError:
            self.kind = "ORM stand-in"

    def page(self, sort: str, filters: tuple = (), boundary=None):
        """A callable that fetches the page after `boundary` (sort value, id) as one request would."""
        from saas.extensions import db
        from saas.tenants.context import tenant_context

        app = self.ctx.app
        if self.kind == "query builder":
            from saas.metadata.query import Filter, build_query, encode_cursor, page

            cursor = None
            if boundary is not None:
                value = boundary[0]
                state = {"i": boundary[1], "v": {"n": str(value)} if isinstance(value, Decimal) else value}
                cursor = encode_cursor(state)

            def run():
                with app.app_context(), tenant_context(self.tenant_id):
                    q = build_query("contact", filters=[Filter(*f) for f in filters], sort=sort, fields=list(SHOWN))
                    rows = page(q, limit=PAGE_SIZE, cursor=cursor).rows
                    db.session.remove()
                    return rows
            return run
        return self._orm_page(sort, filters, boundary)

    def _orm_page(self, sort: str, filters: tuple, boundary):
        # Used only while saas.metadata.query is missing: the ORM-scoped select of the same query.
        from sqlalchemy import Numeric, cast, literal_column, select, tuple_

        from saas.extensions import db
        from saas.modules.core.models import Contact
        from saas.tenants.context import tenant_context

        def custom(key):
            return Contact.custom.op("->>")(literal_column(f"'{key}'"))
        sort_expr = cast(custom(SORT_FIELD), Numeric) if sort == SORT_FIELD else Contact.name
        statement = select(Contact.id, Contact.name, Contact.email, Contact.phone, custom("tier").label("tier"),
                           cast(custom("annual_spend"), Numeric).label("annual_spend"), sort_expr.label("_sort"))
        for key, _op, value in filters:
            statement = statement.where(custom(key) == value)
        statement = statement.where(sort_expr.is_not(None))
        if boundary is not None:
            statement = statement.where(tuple_(sort_expr, Contact.id) > tuple_(*boundary))
        statement = statement.order_by(sort_expr, Contact.id).limit(PAGE_SIZE + 1)
        app = self.ctx.app

        def run():
            with app.app_context(), tenant_context(self.tenant_id):
                rows = db.session.execute(statement).all()
                db.session.remove()
                return rows
        return run


def run(ctx: BenchContext) -> list[Row]:
    """The list page rows of the results table."""
    ws = ctx.largest
    tid = ws.tenant_id
    warmup, repeat = ctx.timed()
    app_path = AppPath(ctx, tid)
    rows: list[Row] = []
    target = Target("ratio_max", 1.5)
    with ctx.connect("app") as conn:
        # 1-3: sorted by the custom number, deep page, with and without its expression index.
        _set_index(ctx, False, tid)
        sort_b = _boundary(ctx, tid, SORT_EXPR)
        page_no = sort_b[0] if sort_b else 1
        after = sort_b[1:] if sort_b else (Decimal(-1), 0)
        raw_sort = raw_query(conn, tid, SORT_PAGE_SQL, (tid, *after))
        app_sort = app_path.page(SORT_FIELD, boundary=sort_b[1:] if sort_b else None)
        label = f"contacts by custom {SORT_FIELD}, keyset page {page_no} of {PAGE_SIZE}"
        app_no_index, raw_no_index = time_pair_ms(app_sort, raw_sort, warmup, repeat)
        _set_index(ctx, True, tid)
        app_index, raw_index = time_pair_ms(app_sort, raw_sort, warmup, repeat)
        note = f"{app_path.kind} vs raw SQL; largest workspace ({ws.contacts:,} contacts)"
        rows.append(Row("list", f"{label}, expression index", "ms", app_index, raw_index, "raw SQL", target, note))
        rows.append(Row("list", f"{label}, no index", "ms", app_no_index, raw_no_index, "raw SQL", target))
        rows.append(Row("list", f"{label}: raw SQL without vs with the index", "ms", raw_no_index, raw_index,
                        "with index", None, f"index: {index_ddl(tid)}"))

        # 4: the indexed custom field against a native indexed column, same depth.
        name_b = _boundary(ctx, tid, "name")
        raw_name = raw_query(conn, tid, NAME_PAGE_SQL.format(filter=""), (tid, *(name_b[1:] if name_b else ("", 0))))
        custom_s, native_s = time_pair_ms(raw_sort, raw_name, warmup, repeat)
        rows.append(Row("list", f"custom number (indexed) vs native column (name), page {page_no}", "ms",
                        custom_s, native_s, "sort by name", Target("ratio_max", 1.1),
                        "DESIGN.md: an indexed custom field runs as fast as a native column (1.1x)"))

        # 5: filtered on a custom single select, sorted by name, deep page.
        filt_b = _boundary(ctx, tid, "name", FILTER_SQL)
        raw_filter = raw_query(conn, tid, NAME_PAGE_SQL.format(filter=FILTER_SQL),
                               (tid, *(filt_b[1:] if filt_b else ("", 0))))
        app_filter = app_path.page("name", (FILTER,), boundary=filt_b[1:] if filt_b else None)
        app_f, raw_f = time_pair_ms(app_filter, raw_filter, warmup, repeat)
        rows.append(Row("list", f"contacts where {FILTER[0]} = {FILTER[2]} by name, keyset page "
                        f"{filt_b[0] if filt_b else 1}", "ms", app_f, raw_f, "raw SQL", target))

        # 6: fetching the whole custom document against only the shown values.
        whole, shown = time_pair_ms(raw_query(conn, tid, WHOLE_DOC_SQL, (tid,)),
                                    raw_query(conn, tid, SHOWN_FIRST_PAGE_SQL, (tid,)), warmup, repeat)
        rows.append(Row("list", "first page with the whole custom document vs the shown values", "ms",
                        whole, shown, "shown values", None, "DESIGN.md says about 2.3x"))
    _set_index(ctx, False, tid)
    return rows
