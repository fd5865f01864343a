"""(f) Report widgets: a widget grouping deals by a custom single select and a month bucket,
summing the amount, run uncached through the app (the aggregation builder over the query builder,
as the app role under row-level security) against the same aggregation written by hand in SQL over
native columns, in the same run; then the widget's htmx fragment as a dashboard tile asks for it,
served from the cache, timed server-side (in-process WSGI requests of a logged-in member, no
network), median and p95.

The deals live in a workspace of their own ("bench-widgets"), made through the app (its hooks,
its field definitions) and filled with one INSERT ... SELECT from generate_series; it is made
again when missing or of another size. BENCH_WIDGET_DEALS sets the number of deals whatever the scale.
"""
from __future__ import annotations

import os
import time

from bench.benchmarks.sql import raw_query
from bench.context import BenchContext
from bench.database import app_config
from bench.measure import Row, Stats, Target, time_ms, time_pair_ms

SLUG = "bench-widgets"
BOARD = "Bench board"          # a private dashboard holding the widget: its tile is what is timed
EMAIL = "widgets@bench.example"
PASSWORD = "bench-password-2026"
DEALS = {"tiny": 3_000, "small": 200_000, "medium": 1_000_000, "large": 1_000_000}
REGIONS = ("north", "south", "east", "west", "central", "overseas")
FRAGMENT_REQUESTS = {"tiny": 20, "small": 300, "medium": 500, "large": 500}
# The same grouping over native columns: a six-value text column and the creation month.
NATIVE_SQL = ("select currency, date_trunc('month', timezone('UTC', created_at)), sum(amount) from deals "
              "where tenant_id = %s group by 1, 2")


def _app(ctx: BenchContext, redis: str | None):
    from saas import create_app

    return create_app({**app_config(ctx.urls), "WTF_CSRF_ENABLED": False, "REDIS_URL": redis})


def _deal_count(ctx: BenchContext, tenant_id: int) -> int:
    with ctx.connect("owner") as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(tenant_id),))
        return conn.execute("select count(*) from deals where tenant_id = %s", (tenant_id,)).fetchone()[0]


def _workspace(ctx: BenchContext, app, n: int) -> tuple[int, int, int]:
    """(tenant id, widget id, dashboard id) of the widget workspace with `n` deals, made when missing."""
    from saas.extensions import db
    from saas.metadata import definitions, pipelines
    from saas.modules.analytics import dashboards
    from saas.modules.analytics.widgets import WidgetSpec, save_widget
    from saas.tenants import accounts
    from saas.tenants.context import tenant_context
    from saas.tenants.workspaces import create_workspace, workspace_by_slug

    with app.app_context():
        workspace = workspace_by_slug(SLUG)
        if workspace is not None and _deal_count(ctx, workspace.id) != n:
            tenant_id = workspace.id
            db.session.remove()
            with ctx.connect("owner") as conn:
                conn.execute("delete from workspaces where id = %s", (tenant_id,))
            workspace = None
        if workspace is None:
            owner = accounts.user_by_email(EMAIL) or accounts.create_user(EMAIL, "Widget bench", PASSWORD)
            workspace = create_workspace("Bench widgets", owner, slug=SLUG)
            db.session.commit()
            with tenant_context(workspace.id):
                definitions.add_field("deal", labels={"en": "Region"}, type="single_select", key="region",
                                      options="\n".join(REGIONS))
                db.session.commit()
            _fill(ctx, workspace.id, n)
        tenant_id = workspace.id
        with tenant_context(tenant_id):
            spec = WidgetSpec(name="Amount by region and month", object_key="deal", measure="sum",
                              measure_field="amount", group_by="region", group_by2="created_at",
                              group_bucket2="month", chart_type="stacked_bar")
            from saas.modules.analytics.models import Widget

            widget = db.session.scalar(db.select(Widget).where(Widget.name == spec.name))
            if widget is None:
                widget = save_widget(None, spec, None)
                db.session.commit()
            owner = accounts.user_by_email(EMAIL)
            board = next((b for b in dashboards.visible_dashboards(owner.id) if b.name == BOARD), None)
            if board is None:
                board = dashboards.save_dashboard(None, BOARD, False, owner.id)
                dashboards.add_tile(board, widget)
                db.session.commit()
            widget_id, board_id = widget.id, board.id
            pipelines.default_pipeline("deal")
        db.session.remove()
    return tenant_id, widget_id, board_id


def _fill(ctx: BenchContext, tenant_id: int, n: int) -> None:
    ctx.progress.say(f"[widgets] inserting {n:,} deals into {SLUG}")
    with ctx.connect("owner") as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(tenant_id),))
        pipeline_id, = conn.execute("select id from pipelines where tenant_id = %s and is_default", (tenant_id,)).fetchone()
        stage_ids = [r[0] for r in conn.execute("select id from pipeline_stages where tenant_id = %s and pipeline_id = %s "
                                                "order by position", (tenant_id, pipeline_id))]
        conn.execute(
            "insert into deals (tenant_id, name, amount, currency, pipeline_id, stage_id, custom, created_at, "
            "updated_at) select %(t)s, 'Deal ' || g, round((random() * 20000)::numeric, 2), "
            "(array['CNY','USD','EUR','HKD','TWD','JPY'])[1 + g %% 6], %(p)s, "
            "(%(s)s::int[])[1 + g %% %(ns)s], "
            "jsonb_build_object('region', (%(r)s::text[])[1 + (g / 7) %% 6]), "
            "timestamptz '2024-01-01 00:00+00' + (g %% 1095) * interval '1 day' + (g %% 86400) * interval '1 second', "
            "now() from generate_series(1, %(n)s) g",
            {"t": tenant_id, "p": pipeline_id, "s": stage_ids, "ns": len(stage_ids), "r": list(REGIONS), "n": n})
        conn.commit()
    with ctx.connect("owner") as conn:
        conn.autocommit = True
        conn.execute("analyze deals")


def run(ctx: BenchContext) -> list[Row]:
    """Rows: the uncached widget query against hand-written SQL; the cached fragment's p95."""
    from flask import g

    from saas.extensions import db
    from saas.modules.analytics import fragments, queries
    from saas.modules.analytics.models import Widget
    from saas.modules.analytics.widgets import WidgetSpec
    from saas.tenants.context import tenant_context
    from saas.tenants.models import Workspace

    n = int(os.environ.get("BENCH_WIDGET_DEALS") or DEALS[ctx.scale.name])
    app = _app(ctx, None)
    tenant_id, widget_id, board_id = _workspace(ctx, app, n)
    warmup, repeat = ctx.timed()
    repeat = min(repeat, 15) if n >= 1_000_000 else repeat
    rows: list[Row] = []

    def app_query():
        with app.test_request_context(f"/w/{SLUG}/analytics/"), tenant_context(tenant_id):
            g.workspace = db.session.get(Workspace, tenant_id)
            result = queries.run(WidgetSpec.of(db.session.get(Widget, widget_id)))
            db.session.remove()
            return result

    def app_compute():
        with app.test_request_context(f"/w/{SLUG}/analytics/"), tenant_context(tenant_id):
            g.workspace = db.session.get(Workspace, tenant_id)
            value = fragments.compute(WidgetSpec.of(db.session.get(Widget, widget_id)), None)
            db.session.remove()
            return value

    with ctx.connect("app") as conn:
        native = raw_query(conn, tenant_id, NATIVE_SQL, (tenant_id,))
        widget_s, native_s = time_pair_ms(app_query, native, warmup, repeat)
        rows.append(Row("widgets", f"sum of amount by custom select × month, {n:,} deals, uncached", "ms",
                        widget_s, native_s, "hand-written SQL, native columns", Target("ratio_max", 2.0),
                        "app: aggregation builder + labels, app role under RLS"))
    started = time.perf_counter()
    app_compute()
    rows.append(Row("widgets", "same widget, uncached, with its plotly chart rendered", "ms",
                    Stats.single((time.perf_counter() - started) * 1000)))

    for label, redis in (("in-process cache", None), ("Redis cache", ctx.urls.redis)):
        if label == "Redis cache" and not redis:
            continue
        served = _app(ctx, redis)
        with served.app_context():
            from saas.modules.analytics.cache import bump_data_version

            bump_data_version(tenant_id)     # what a record change does: the first request misses
        view_ms: list[float] = []
        view = served.view_functions["analytics.widget"]

        def timed_view(*args, **kwargs):
            # The widget view's own share, apart from the platform's per-request work (session
            # user, membership, enabled plugins) that every workspace page pays.
            started = time.perf_counter()
            try:
                return view(*args, **kwargs)
            finally:
                view_ms.append((time.perf_counter() - started) * 1000)
        served.view_functions["analytics.widget"] = timed_view
        client = served.test_client()
        client.post("/login", data={"email": EMAIL, "password": PASSWORD})
        url = f"/w/{SLUG}/analytics/widgets/{widget_id}?dashboard={board_id}"     # as a tile asks

        def fragment():
            response = client.get(url, headers={"HX-Request": "true"})
            assert response.status_code == 200 and b"Plotly.newPlot" in response.data, response.status_code
            return response

        first = fragment()
        assert b'data-cached="1"' not in first.data
        for _ in range(5):
            fragment()
        view_ms.clear()
        stats = time_ms(fragment, 0, FRAGMENT_REQUESTS[ctx.scale.name])
        own = Stats.of(view_ms[:stats.n])
        assert b'data-cached="1"' in fragment().data
        rows.append(Row("widgets", f"cached widget fragment (htmx GET of a dashboard tile), {label}, p95", "ms",
                        Stats(stats.p95, stats.p95, stats.n), target=Target("max", 10, "ms"),
                        note=f"median {stats.median:.2f} ms over {stats.n} requests, in-process WSGI; the widget "
                             f"view itself: median {own.median:.2f} ms, p95 {own.p95:.2f} ms; load average "
                             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"))
    return rows
