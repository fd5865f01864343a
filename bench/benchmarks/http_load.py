"""(d) HTTP load from a second process (wrk) on loopback against gunicorn, and (e) the peak RSS of a
web worker after it. The mixed workload is the pages a user opens all day (workspace home, contacts
list, a record page, the team page) and API calls, as the load user of the largest workspace; the
ceiling is a static file served by the same app (Flask's static route: no template, no database)."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from bench.benchmarks.processes import Gunicorn, memory_kib
from bench.benchmarks.scoping import _sample_ids
from bench.context import BenchContext
from bench.generate.plan import BENCH_PASSWORD, LOAD_USER_EMAIL
from bench.measure import Row, Stats, Target

WORKLOAD = Path(__file__).resolve().parents[1] / "http" / "workload.lua"
CEILING_PATH = "/static/css/orchard.css"
WRK_HINT = "wrk is not installed: install Debian's package with `sudo apt-get install -y wrk`"


def _login(base: str) -> str:
    """Log in through the login form (CSRF token included); returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    form = {"email": LOAD_USER_EMAIL, "password": BENCH_PASSWORD}
    if token:
        form["csrf_token"] = token.group(1)
    opener.open(base + "/login", data=urllib.parse.urlencode(form).encode(), timeout=10).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session" not in cookie:
        raise RuntimeError("the load user could not log in")
    return cookie


def _status(base: str, path: str, header: tuple[str, str] | None) -> int:
    request = urllib.request.Request(base + path, headers=dict([header]) if header else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _pages(ctx: BenchContext) -> dict[str, list[str]]:
    """Paths of each kind of page, found in the app's URL map (pages not built yet are left out)."""
    app = ctx.app
    ws = ctx.largest
    rules = {r.rule: r for r in app.url_map.iter_rules() if "GET" in r.methods}
    prefix = f"/w/{ws.slug}"
    ids = _sample_ids(ctx, ws.tenant_id, 100)
    pages: dict[str, list[str]] = {"workspace home": [prefix + "/"], "team page": [prefix + "/settings/members"]}
    for rule in rules:
        if re.fullmatch(r"/w/<workspace_slug>/contacts/?", rule):
            pages["contacts list"] = [prefix + rule.removeprefix("/w/<workspace_slug>")]
        match = re.fullmatch(r"/w/<workspace_slug>/contacts/<int:(\w+)>/?", rule)
        if match:
            pages["record page"] = [prefix + rule.removeprefix("/w/<workspace_slug>").replace(
                f"<int:{match.group(1)}>", str(i)) for i in ids]
    api = {}
    if "/api/v1/<api_object:obj>" in rules:
        api["API list"] = ["/api/v1/contacts?limit=50"]
    if "/api/v1/<api_object:obj>/<int:record_id>" in rules:
        api["API record"] = [f"/api/v1/contacts/{i}" for i in ids]
    return {**pages, **api}


def _api_token(ctx: BenchContext) -> str | None:
    try:
        from saas.tenants.api_tokens import create_token
    except ImportError:
        return None
    with ctx.app.app_context():
        _token, clear = create_token(ctx.largest.tenant_id, "bench load", None, None)
        from saas.extensions import db

        db.session.remove()
    return clear


def _wrk(wrk: str, base: str, lines: list[str], seconds: int, requests: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        out = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(WORKLOAD),
                              base, "--", path, str(requests)], capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(path)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {out.stdout[-1000:]} {out.stderr[-1000:]}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "timeout")) + result["non_200"]
    return result


def run(ctx: BenchContext) -> list[Row]:
    """Rows: requests/s, latency p50/p95/p99 and errors of the mixed workload beside the ceiling; worker RSS."""
    from bench.runner import BenchmarkUnavailable

    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchmarkUnavailable(WRK_HINT)
    workers = max(2, os.cpu_count() or 2)
    connections = workers * 2
    scale = ctx.scale
    pages = _pages(ctx)
    token = _api_token(ctx) if any(k.startswith("API") for k in pages) else None
    with Gunicorn(ctx.urls, workers) as server:
        cookie = _login(server.base)
        lines, used, dropped, per_kind = [], [], [], {}
        for kind, paths in pages.items():
            header = ("Authorization", f"Bearer {token}") if kind.startswith("API") else ("Cookie", cookie)
            status = _status(server.base, paths[0], header)
            if status != 200:
                dropped.append(f"{kind} ({paths[0]} answered {status})")
                continue
            used.append(kind)
            # Each kind weighs the same in the mix, however many different records it cycles through.
            kind_lines = [f"{p}\t{header[0]}\t{header[1]}" for p in (paths * (100 // len(paths) or 1))[:100]]
            per_kind[kind] = kind_lines
            lines += kind_lines
        before = {pid: memory_kib(pid) for pid in server.workers()}
        mixed = _wrk(wrk, server.base, lines, scale.http_seconds, scale.http_requests, connections)
        ceiling = _wrk(wrk, server.base, [f"{CEILING_PATH}\t\t"], scale.http_seconds, scale.http_requests, connections)
        after = {pid: memory_kib(pid) for pid in server.workers()}
        # Each kind alone, briefly, to show which page the mix waits on.
        alone = {kind: _wrk(wrk, server.base, kind_lines, max(3, scale.http_seconds // 3), scale.http_requests // 4,
                            connections) for kind, kind_lines in per_kind.items()}
    mix_note = (f"{workers} sync gunicorn workers, wrk with {connections} connections on loopback, "
                f"{scale.http_seconds} s or {scale.http_requests:,} requests per run; mix: {', '.join(used)}"
                + (f"; left out (not answering 200 yet): {', '.join(dropped)}" if dropped else ""))
    ceiling_name = f"ceiling: GET {CEILING_PATH} (static route)"
    rows = [
        Row("http", "mixed pages and API: throughput", "req/s", Stats.single(mixed["rps"]), Stats.single(ceiling["rps"]),
            ceiling_name, Target("min", 100, "req/s"), mix_note),
    ]
    for p in ("p50", "p95", "p99"):
        target = Target("max", 250, "ms") if p == "p95" else None
        rows.append(Row("http", f"mixed pages and API: latency {p}", "ms", Stats.single(mixed[f"{p}_us"] / 1000),
                        Stats.single(ceiling[f"{p}_us"] / 1000), ceiling_name, target))
    rows.append(Row("http", "mixed pages and API: errors (non-200 and socket)", "count",
                    Stats.single(mixed["errors"]), Stats.single(ceiling["errors"]), ceiling_name, Target("max", 0),
                    f"{mixed['requests']:,} mixed requests, {ceiling['requests']:,} ceiling requests"))
    for kind, result in alone.items():
        rows.append(Row("http", f"{kind} alone: throughput", "req/s", Stats.single(result["rps"]),
                        Stats.single(ceiling["rps"]), ceiling_name, None,
                        f"p50 {result['p50_us'] / 1000:.1f} ms, p95 {result['p95_us'] / 1000:.1f} ms, "
                        f"{result['errors']} errors in {result['requests']:,} requests"
                        + (" (the token's per-plan API rate limit answers 429 once spent)"
                           if kind.startswith("API") and result["errors"] else "")))
    peak = max(m["VmHWM"] for m in after.values()) / 1024
    start = max(m["VmRSS"] for m in before.values()) / 1024
    rows.append(Row("memory", "gunicorn worker peak RSS after the load", "MiB", Stats.single(peak), Stats.single(start),
                    "worker RSS before the load", Target("max", 300, "MiB"),
                    f"largest VmHWM of {len(after)} workers after {mixed['requests'] + ceiling['requests']:,} requests"))
    return rows
