"""(a) The contact list page on the largest workspace: a list filtered on an indexed custom field
and sorted, 50 rows, as the app runs it, against the same query hand-written over native indexed
columns holding the same values, and over an entity-attribute-value layout of the same data.

Three layouts of one dataset, all read as the app role under the same row-level security:

- the app's: custom values in the contact's JSONB document, a per-workspace expression index
  built by the app's own job (saas.metadata.changes.build_field_index);
- native: `bench_native_contacts`, the same rows with the custom values as typed columns and
  per-workspace indexes on them (what a schema without a metadata layer would have);
- EAV: `bench_eav_values`, one row per (contact, field, value), indexed by field and value, the
  layout older CRMs use for custom fields.

The app's side is measured twice: the SQL the query builder sends (captured from a real call,
replayed through the same driver as the hand-written SQL), and the whole server-side path (query
builder, SQL, rows; then the full list page through the WSGI app, template included).
"""
from __future__ import annotations

from bench.benchmarks.sql import raw_query
from bench.context import BenchContext
from bench.measure import Row, Target, time_ms, time_pair_ms

PAGE_SIZE = 50
DEEP_PAGE = 200
SORT_FIELD = "annual_spend"                         # a currency field: compared as a number
RANGE = (1000, 20000)                               # annual spend filter: about half the contacts
SELECT_FILTER = ("tier", "platinum")                # a single select, about 5% of the contacts
SHOWN = ("name", "email", "phone", "tier", "annual_spend")
INDEX_NAME = f"bench_ix_contacts_{SORT_FIELD}"

SORT_EXPR = f"orchard_field_number(custom, '{SORT_FIELD}')"
SHOWN_SQL = ("id, name, email, phone, orchard_field_text(custom, 'tier') as tier, "
             f"{SORT_EXPR} as annual_spend")
SORT_PAGE_SQL = (f"select {SHOWN_SQL}, {SORT_EXPR} as _sort from contacts where tenant_id = %s "
                 f"and {SORT_EXPR} is not null and ({SORT_EXPR}, id) > (%s, %s) "
                 f"order by {SORT_EXPR}, id limit {PAGE_SIZE + 1}")
WHOLE_DOC_SQL = (f"select id, name, email, phone, custom from contacts where tenant_id = %s "
                 f"order by name, id limit {PAGE_SIZE}")
SHOWN_FIRST_PAGE_SQL = f"select {SHOWN_SQL} from contacts where tenant_id = %s order by name, id limit {PAGE_SIZE}"

# The same two list queries by hand, over native columns and over EAV rows.
NATIVE_RANGE_SQL = (f"select id, name, email, phone, tier, annual_spend from bench_native_contacts "
                    f"where tenant_id = %s and annual_spend between %s and %s and (annual_spend, id) > (%s, %s) "
                    f"order by annual_spend, id limit {PAGE_SIZE + 1}")
NATIVE_SELECT_SQL = (f"select id, name, email, phone, tier, annual_spend from bench_native_contacts "
                     f"where tenant_id = %s and tier = %s order by id desc limit {PAGE_SIZE + 1}")
EAV_SHOWN = ("c.id, c.name, c.email, c.phone, "
             "(select value_text from bench_eav_values t where t.tenant_id = c.tenant_id and t.record_id = c.id "
             " and t.field = 'tier') as tier, "
             "(select value_number from bench_eav_values t where t.tenant_id = c.tenant_id and t.record_id = c.id "
             " and t.field = 'annual_spend') as annual_spend")
EAV_RANGE_SQL = (f"select {EAV_SHOWN} from bench_eav_values s join contacts c on c.tenant_id = s.tenant_id "
                 f"and c.id = s.record_id where s.tenant_id = %s and s.field = 'annual_spend' "
                 f"and s.value_number between %s and %s and (s.value_number, s.record_id) > (%s, %s) "
                 f"order by s.value_number, s.record_id limit {PAGE_SIZE + 1}")
EAV_SELECT_SQL = (f"select {EAV_SHOWN} from bench_eav_values s join contacts c on c.tenant_id = s.tenant_id "
                  f"and c.id = s.record_id where s.tenant_id = %s and s.field = 'tier' and s.value_text = %s "
                  f"order by s.record_id desc limit {PAGE_SIZE + 1}")

LAYOUTS_DDL = (
    "drop table if exists bench_native_contacts",
    "drop table if exists bench_eav_values",
    "create table bench_native_contacts as select tenant_id, id, name, email, phone, "
    "custom ->> 'tier' as tier, custom ->> 'source' as source, "
    "case when jsonb_typeof(custom -> 'annual_spend') = 'number' then (custom -> 'annual_spend')::float8 end "
    "as annual_spend from contacts",
    "alter table bench_native_contacts add primary key (tenant_id, id)",
    "create table bench_eav_values as select c.tenant_id, c.id as record_id, e.key as field, "
    "e.value #>> '{}' as value_text, case when jsonb_typeof(e.value) = 'number' then e.value::float8 end "
    "as value_number from contacts c, jsonb_each(c.custom) e",
    "alter table bench_eav_values add primary key (tenant_id, record_id, field)",
    "create index on bench_eav_values (tenant_id, field, value_number, record_id)",
    "create index on bench_eav_values (tenant_id, field, value_text, record_id)",
)


def index_ddl(tenant_id: int) -> str:
    """The sort field's expression index as the app's job writes it (see saas.metadata.changes)."""
    from types import SimpleNamespace

    from saas.metadata.query import index_expression_sql

    expression = index_expression_sql(SimpleNamespace(key=SORT_FIELD, kind="number"))
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


def _layouts(ctx: BenchContext, tenant_id: int) -> str:
    """Make the native and EAV tables (once per dataset) and the per-workspace indexes; a note."""
    with ctx.connect("owner") as conn:
        conn.autocommit = True
        have = conn.execute("select to_regclass('bench_eav_values') is not null").fetchone()[0] and conn.execute(
            "select (select count(*) from bench_native_contacts) = (select count(*) from contacts)").fetchone()[0]
        if not have:
            ctx.progress.say("[bench] list: making the native and EAV layouts of the contacts")
            for statement in LAYOUTS_DDL:
                conn.execute(statement)
            from sqlalchemy.engine import make_url

            from saas.tenants.isolation import RLS_POLICY, TENANT_SETTING

            app_role = make_url(ctx.urls.app_sqlalchemy).username
            for table in ("bench_native_contacts", "bench_eav_values"):    # the app tables' own policy
                conn.execute(f"alter table {table} enable row level security")
                conn.execute(f"alter table {table} force row level security")
                conn.execute(f"create policy {RLS_POLICY} on {table} using (tenant_id = {TENANT_SETTING})")
                conn.execute(f'grant select on {table} to "{app_role}"')
        conn.execute(f"create index if not exists bench_ix_native_spend on bench_native_contacts (annual_spend, id) "
                     f"where tenant_id = {tenant_id}")
        conn.execute(f"create index if not exists bench_ix_native_tier on bench_native_contacts (tier, id) "
                     f"where tenant_id = {tenant_id}")
        conn.execute("analyze bench_native_contacts")
        conn.execute("analyze bench_eav_values")
        eav_rows = conn.execute("select count(*) from bench_eav_values").fetchone()[0]
    return f"EAV layout: {eav_rows:,} value rows"


def _field_indexes(ctx: BenchContext, tenant_id: int) -> dict[str, str]:
    """Build the app's own indexes of the two filtered fields (its job, as the owner); key -> state."""
    from saas.extensions import db
    from saas.metadata.changes import build_field_index
    from saas.tenants.context import tenant_context

    states = {}
    with ctx.app.app_context(), tenant_context(tenant_id):
        for key in (SORT_FIELD, SELECT_FILTER[0]):
            field_id = _field_id(key)
            states[key] = build_field_index(field_id) if field_id is not None else "no such field"
        db.session.remove()
    return states


def _field_id(key: str) -> int | None:
    """The id of the contact field `key` in the workspace in context."""
    from sqlalchemy import select

    from saas.extensions import db
    from saas.metadata.models import FieldDefinition, ObjectDefinition

    return db.session.scalar(select(FieldDefinition.id).join(FieldDefinition.object).where(
        FieldDefinition.key == key, ObjectDefinition.key == "contact", FieldDefinition.removed_at.is_(None)))


class AppPath:
    """The list as the app runs it: the query builder (saas.metadata.query) in the tenant context."""

    def __init__(self, ctx: BenchContext, tenant_id: int):
        self.ctx, self.tenant_id = ctx, tenant_id

    def page(self, filters: list[tuple], sort: str | None, cursor: str | None = None):
        """A callable fetching one page as one request would: build, SQL, rows."""
        from saas.extensions import db
        from saas.metadata.query import Filter, build_query, page
        from saas.tenants.context import tenant_context

        app = self.ctx.app

        def run():
            with app.app_context(), tenant_context(self.tenant_id):
                q = build_query("contact", filters=[Filter(*f) for f in filters], sort=sort, fields=list(SHOWN))
                result = page(q, limit=PAGE_SIZE, cursor=cursor)
                db.session.remove()
                return result
        return run

    def cursor_at(self, filters: list[tuple], sort: str | None, pages: int) -> tuple[str | None, int]:
        """The cursor of page `pages` (walking there as a user would); (cursor, page number)."""
        cursor, number = None, 1
        while number < pages:
            result = self.page(filters, sort, cursor)()
            if not result.next_cursor:
                break
            cursor, number = result.next_cursor, number + 1
        return cursor, number

    def captured_sql(self, filters: list[tuple], sort: str | None, cursor: str | None) -> tuple[str, object]:
        """The statement the query builder sends first for this page (the sorted values' phase; a
        short list goes on to the empty values' phase), with its parameters."""
        from sqlalchemy import event

        from saas.extensions import db

        seen = []

        def record(conn, cursor_, statement, parameters, context, executemany):
            if "FROM contacts" in statement:
                seen.append((statement, parameters))
        with self.ctx.app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            self.page(filters, sort, cursor)()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return seen[0]


def _list_page(ctx: BenchContext, url: str):
    """A callable GETting a list page through the WSGI app as a logged-in member (server-side time)."""
    from saas import create_app

    from bench.database import app_config
    from bench.generate.plan import BENCH_PASSWORD, LOAD_USER_EMAIL

    app = create_app({**app_config(ctx.urls), "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"email": LOAD_USER_EMAIL, "password": BENCH_PASSWORD})

    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response
    return run


def run(ctx: BenchContext) -> list[Row]:
    """The list page rows of the results table."""
    ws = ctx.largest
    tid = ws.tenant_id
    warmup, repeat = ctx.timed()
    states = _field_indexes(ctx, tid)
    eav_note = _layouts(ctx, tid)
    app_path = AppPath(ctx, tid)
    ratio = Target("ratio_max", 1.5)
    within = Target("p95_max", 30, "ms")
    where = f"{ws.contacts:,} contacts in the workspace; app indexes: " + ", ".join(f"{k} {v}" for k, v in states.items())
    rows: list[Row] = []
    low, high = RANGE
    spend = [(SORT_FIELD, "between", [str(low), str(high)])]
    tier = [(SELECT_FILTER[0], "eq", SELECT_FILTER[1])]
    cursor, page_no = app_path.cursor_at(spend, SORT_FIELD, DEEP_PAGE)
    sql, params = app_path.captured_sql(spend, SORT_FIELD, cursor)
    last = app_path.page(spend, SORT_FIELD, cursor)
    with ctx.connect("app") as conn:
        # The boundary of the deep page, for the hand-written queries' keyset condition.
        after = _after(conn, tid, low, high, page_no)
        cases = (
            (f"{SORT_FIELD} between {low:,} and {high:,}, sorted by it, keyset page {page_no}",
             raw_query(conn, tid, sql, params), last,
             raw_query(conn, tid, NATIVE_RANGE_SQL, (tid, low, high, *after)),
             raw_query(conn, tid, EAV_RANGE_SQL, (tid, low, high, *after))),
            (f"{SELECT_FILTER[0]} = {SELECT_FILTER[1]}, newest first, first page",
             raw_query(conn, tid, *app_path.captured_sql(tier, None, None)), app_path.page(tier, None),
             raw_query(conn, tid, NATIVE_SELECT_SQL, (tid, SELECT_FILTER[1])),
             raw_query(conn, tid, EAV_SELECT_SQL, (tid, SELECT_FILTER[1]))),
        )
        for label, app_sql, app_call, native, eav in cases:
            _same_ids(app_sql(), native(), eav(), label)
            app_s, native_s = time_pair_ms(app_sql, native, warmup, repeat)
            rows.append(Row("list", f"{label}: the query builder's SQL vs native columns", "ms", app_s, native_s,
                            "hand-written SQL, native indexed column", ratio, where if not rows else ""))
            eav_s, native_s2 = time_pair_ms(eav, native, warmup, repeat)
            rows.append(Row("list", f"{label}: EAV layout vs native columns", "ms", eav_s, native_s2,
                            "hand-written SQL, native indexed column", None, eav_note if len(rows) == 1 else ""))
            whole, native_s3 = time_pair_ms(app_call, native, warmup, repeat)
            rows.append(Row("list", f"{label}: the app's query builder end to end (build, SQL, rows)", "ms",
                            whole, native_s3, "hand-written SQL, native indexed column", within))

        # The whole list page (template included), server-side, through the WSGI app.
        columns = "".join(f"&columns={key}" for key in SHOWN)
        url = f"/w/{ws.slug}/contacts/?ff={SORT_FIELD}&fo=between&fv={low},{high}&sort={SORT_FIELD}{columns}"
        page_s = time_ms(_list_page(ctx, url), warmup, repeat)
        rows.append(Row("list", f"list page GET, {SORT_FIELD} between {low:,} and {high:,}, sorted by it, "
                        "first page (server-side, template included)", "ms", page_s, target=within,
                        note=f"{url}; Flask test client, no network"))

        # Without the app's expression index, and the cost of fetching whole documents.
        _drop_app_index(ctx, tid)
        unindexed = time_ms(raw_query(conn, tid, sql, params), min(warmup, 2), min(repeat, 10))
        rows.append(Row("list", f"{SORT_FIELD} range, keyset page {page_no}, the query builder's SQL without its "
                        "expression index", "ms", unindexed, rows[0].figure, "with the index"))
        whole, shown = time_pair_ms(raw_query(conn, tid, WHOLE_DOC_SQL, (tid,)),
                                    raw_query(conn, tid, SHOWN_FIRST_PAGE_SQL, (tid,)), warmup, repeat)
        rows.append(Row("list", "first page with the whole custom document vs the shown values", "ms",
                        whole, shown, "shown values", None, "DESIGN.md says about 2.3x"))
    _field_indexes(ctx, tid)
    return rows


def _after(conn, tenant_id: int, low: float, high: float, page_no: int) -> tuple[float, int]:
    """(annual spend, id) of the last row before page `page_no` of the range, on the native table."""
    with conn.transaction():
        conn.execute("select set_config('app.tenant_id', %s, true)", (str(tenant_id),))
        row = conn.execute("select annual_spend, id from bench_native_contacts where tenant_id = %s and "
                           "annual_spend between %s and %s order by annual_spend, id offset %s limit 1",
                           (tenant_id, low, high, max(0, (page_no - 1) * PAGE_SIZE - 1))).fetchone()
    return (row[0], row[1]) if row and page_no > 1 else (float("-inf"), 0)


def _same_ids(app_rows, native_rows, eav_rows, label: str) -> None:
    """The three layouts must answer the same page (the comparison means nothing otherwise)."""
    ids = [[r[0] for r in rows][:PAGE_SIZE] for rows in (app_rows, native_rows, eav_rows)]
    if not (ids[0] == ids[1] == ids[2]):
        raise RuntimeError(f"list benchmark: the layouts disagree on {label!r}: app {ids[0][:5]}... ({len(ids[0])}), "
                           f"native {ids[1][:5]}... ({len(ids[1])}), EAV {ids[2][:5]}... ({len(ids[2])})")


def _drop_app_index(ctx: BenchContext, tenant_id: int) -> None:
    from saas.metadata.changes import index_name

    with ctx.app.app_context():
        from saas.extensions import db
        from saas.tenants.context import tenant_context

        with tenant_context(tenant_id):
            field_id = _field_id(SORT_FIELD)
        db.session.remove()
    with ctx.connect("owner") as conn:
        conn.autocommit = True
        conn.execute(f"drop index if exists {index_name(field_id, 'contacts')}")
        conn.execute(f"drop index if exists {INDEX_NAME}")
