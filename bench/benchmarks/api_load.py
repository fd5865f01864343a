"""The API list under load: `GET /api/v1/contacts?limit=50` filtered on an indexed custom field, in
the largest workspace, from wrk on loopback against gunicorn with 2 workers, beside the app's
trivial JSON route (`GET /api/v1/health`: no token, no database) measured in the same run: the
framework's ceiling. Target: the list reaches at least 40% of the ceiling's requests/s."""
from __future__ import annotations

import shutil

from sqlalchemy import select

from bench.benchmarks.http_load import WRK_HINT, _status, _wrk
from bench.benchmarks.processes import Gunicorn
from bench.context import BenchContext
from bench.measure import Row, Stats, Target

WORKERS = 2                       # the figure: 2 sync workers on a 2-core machine
CONNECTIONS = WORKERS * 2
FILTER_FIELD, FILTER_VALUE = "tier", "platinum"     # a single select, about 5% of the contacts
LIST_PATH = f"/api/v1/contacts?limit=50&filter[{FILTER_FIELD}]={FILTER_VALUE}"
CEILING_PATH = "/api/v1/health"
# The plan's per-token API rate would answer 429 within a second of load: lift it for this server.
RATE = "1000000 per minute"
MIN_SHARE = 0.4


def _token_and_index(ctx: BenchContext) -> tuple[str, str]:
    """A contacts:read token (as `saas token create` makes it) and the filter field's expression
    index, built by the app's own job; returns (token, index state)."""
    from saas.extensions import db
    from saas.metadata.changes import build_field_index
    from saas.metadata.models import FieldDefinition
    from saas.tenants.api_tokens import create_token
    from saas.tenants.context import tenant_context

    tenant_id = ctx.largest.tenant_id
    with ctx.app.app_context():
        _row, clear = create_token(tenant_id, "bench api load", ["contacts:read"], None)
        with tenant_context(tenant_id):
            field_id = db.session.scalar(select(FieldDefinition.id).where(
                FieldDefinition.key == FILTER_FIELD, FieldDefinition.removed_at.is_(None)))
            state = build_field_index(field_id) if field_id is not None else "no such field"
        db.session.remove()
    return clear, state


def run(ctx: BenchContext) -> list[Row]:
    """Rows: requests/s (ratio to the ceiling, target ≥ 0.4), latency p50/p95/p99 and errors of each."""
    from bench.runner import BenchmarkUnavailable

    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchmarkUnavailable(WRK_HINT)
    scale = ctx.scale
    token, index_state = _token_and_index(ctx)
    auth = ("Authorization", f"Bearer {token}")
    with Gunicorn(ctx.urls, WORKERS, env={"API_RATE_LIMIT": RATE}) as server:
        for path, header in ((LIST_PATH, auth), (CEILING_PATH, None)):
            status = _status(server.base, path, header)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        # Alternate runs, ceiling first, so both see the same warm server; the list gets a warm-up run.
        _wrk(wrk, server.base, [f"{LIST_PATH}\t{auth[0]}\t{auth[1]}"], 3, 0, CONNECTIONS)
        ceiling = _wrk(wrk, server.base, [f"{CEILING_PATH}\t\t"], scale.http_seconds, scale.http_requests,
                       CONNECTIONS)
        listed = _wrk(wrk, server.base, [f"{LIST_PATH}\t{auth[0]}\t{auth[1]}"], scale.http_seconds,
                      scale.http_requests, CONNECTIONS)
    ws = ctx.largest
    note = (f"{WORKERS} sync gunicorn workers, wrk with {CONNECTIONS} connections on loopback, "
            f"{scale.http_seconds} s or {scale.http_requests:,} requests per run; workspace of {ws.contacts:,} "
            f"contacts; filter on the custom single select `{FILTER_FIELD}` (expression index: {index_state}); "
            f"token with contacts:read; API_RATE_LIMIT={RATE!r}")
    name = f"GET {LIST_PATH}"
    base_name = f"ceiling: GET {CEILING_PATH}"
    rows = [Row("api", f"{name}: throughput", "req/s", Stats.single(listed["rps"]), Stats.single(ceiling["rps"]),
                base_name, Target("ratio_min", MIN_SHARE), note)]
    for p in ("p50", "p95", "p99"):
        rows.append(Row("api", f"{name}: latency {p}", "ms", Stats.single(listed[f"{p}_us"] / 1000),
                        Stats.single(ceiling[f"{p}_us"] / 1000), base_name))
    rows.append(Row("api", f"{name}: errors (non-200 and socket)", "count", Stats.single(listed["errors"]),
                    Stats.single(ceiling["errors"]), base_name, Target("max", 0),
                    f"{listed['requests']:,} list requests ({listed['non_200']} non-200), "
                    f"{ceiling['requests']:,} ceiling requests ({ceiling['non_200']} non-200)"))
    return rows
