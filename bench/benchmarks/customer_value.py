"""(f) Customer value: fitting BG/NBD and Gamma-Gamma for one workspace, from reading its orders
to writing every customer's predictions, as the app role (RLS on).

The workspace is made here, not by the shared generator: its customers are drawn from the models
themselves (seeded numpy), so the fit has something true to find, at the size the issue names
(100,000 customers, about 1,000,000 orders; 300 customers at the tiny scale of the tests). It is
made once per size and seed and reused (workspace slug `clv-bench`).
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import numpy as np

from bench.context import BenchContext
from bench.measure import Row, Stats, Target, phase_timer

SLUG = "clv-bench"
SIZES = {"tiny": 300}                 # customers; every other scale: the 100,000
DEFAULT_CUSTOMERS = 100_000
TRUTH = {"r": 2.0, "alpha": 60.0, "a": 1.0, "b": 9.0, "p": 5.0, "q": 4.0, "v": 300.0}
AS_OF = date(2026, 11, 1)
REPEATS = 3


def _customers(ctx: BenchContext) -> int:
    return SIZES.get(ctx.scale.name, DEFAULT_CUSTOMERS)


def simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer index, day offset from AS_OF backwards, amount) of every order of `n` customers."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(TRUTH["r"], 1.0 / TRUTH["alpha"], n)
    dropout = rng.beta(TRUTH["a"], TRUTH["b"], n)
    age = rng.uniform(30, 1095, n)                   # first purchase up to three years ago
    nu = rng.gamma(TRUTH["q"], 1.0 / TRUTH["v"], n)
    who, when = [np.arange(n)], [np.zeros(n)]
    now, active = np.zeros(n), np.ones(n, dtype=bool)
    while active.any():
        now = now + rng.exponential(1.0 / rate)
        bought = active & (now < age)
        who.append(np.flatnonzero(bought))
        when.append(now[bought])
        active = bought & (rng.random(n) > dropout)
    customer = np.concatenate(who)
    days_ago = np.floor(age[customer] - np.concatenate(when)).astype(int)
    # One purchase in ten is two orders on the same day (they count as one purchase day).
    twice = rng.random(customer.size) < 0.1
    customer = np.concatenate([customer, customer[twice]])
    days_ago = np.concatenate([days_ago, days_ago[twice]])
    amount = np.round(rng.gamma(TRUTH["p"], 1.0 / nu[customer]), 2)
    return customer, np.maximum(days_ago, 0), np.maximum(amount, 0.01)


def _workspace(ctx: BenchContext, n: int) -> tuple[int, int]:
    """The benchmark workspace with `n` simulated customers (made when missing); (tenant id, orders)."""
    from saas.extensions import db
    from saas.tenants import accounts
    from saas.tenants.workspaces import create_workspace

    name = f"Customer value bench | {n} customers · seed {ctx.seed}"
    with ctx.connect("owner") as conn:
        row = conn.execute("select id, name from workspaces where slug = %s", (SLUG,)).fetchone()
        if row and row[1] == name:
            orders = conn.execute("select count(*) from orders where tenant_id = %s", (row[0],)).fetchone()[0]
            return row[0], orders
        if row:
            conn.execute("delete from workspaces where id = %s", (row[0],))
            conn.commit()
    with ctx.app.app_context():
        owner = accounts.user_by_email("clv-bench@bench.example") or accounts.create_user(
            "clv-bench@bench.example", "CLV bench", "bench-password-42")
        db.session.flush()
        workspace = create_workspace(name, owner, slug=SLUG)
        db.session.commit()
        tenant_id = workspace.id
    ctx.progress.say(f"[bench] customer_value: simulating {n:,} customers")
    customer, days_ago, amount = simulate(n, ctx.seed)
    stamp = datetime.now(timezone.utc)
    with ctx.connect("owner") as conn:
        with conn.cursor() as cur, cur.copy("COPY contacts (tenant_id, name, custom, tags, created_at, updated_at) "
                                            "FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((tenant_id, f"Customer {i:06d}", "{}", "[]", stamp, stamp))
        ids = np.array([r[0] for r in conn.execute(
            "select id from contacts where tenant_id = %s order by id", (tenant_id,))])
        days = [AS_OF - timedelta(days=int(d)) for d in range(int(days_ago.max()) + 1)]
        with conn.cursor() as cur, cur.copy("COPY orders (tenant_id, number, contact_id, ordered_on, amount, currency, "
                                            "status, custom, created_at, updated_at) FROM STDIN") as copy:
            for k, (c, d, a) in enumerate(zip(ids[customer].tolist(), days_ago.tolist(), amount.tolist())):
                copy.write_row((tenant_id, f"CLV-{k:07d}", c, days[d], a, "CNY", "paid", "{}", stamp, stamp))
        conn.execute("analyze contacts")
        conn.execute("analyze orders")
        conn.commit()
    return tenant_id, int(customer.size)


def _timed_run(ctx: BenchContext, tenant_id: int) -> tuple[float, dict, object]:
    """One full run (read, RFM, fit both models, write, commit); (seconds, phase seconds, run)."""
    from saas.extensions import db
    from saas.modules.analytics import clv, predictions, rfm
    from saas.tenants.context import tenant_context

    phases: dict[str, float] = {}
    originals = (rfm.customer_figures, clv.fit_bgnbd, clv.fit_gamma_gamma, predictions.write_values)

    timed = phase_timer(phases)

    with ctx.app.app_context(), tenant_context(tenant_id):
        predictions.customer_figures = timed("read orders (one grouped query)", originals[0])
        clv.fit_bgnbd = timed("fit BG/NBD", originals[1])
        clv.fit_gamma_gamma = timed("fit Gamma-Gamma", originals[2])
        predictions.write_values = timed("write the values (binary COPY, one UPDATE ... FROM)", originals[3])
        try:
            run = predictions.CustomerValueRun(status="running")
            db.session.add(run)
            db.session.commit()
            started = time.perf_counter()
            predictions.compute(run, AS_OF)
            db.session.commit()
            seconds = time.perf_counter() - started
            result = {"status": run.status, "customers": run.customers, "bgnbd": run.bgnbd,
                      "gamma_gamma": run.gamma_gamma}
        finally:
            predictions.customer_figures, clv.fit_bgnbd, clv.fit_gamma_gamma, predictions.write_values = originals
            db.session.remove()
    return seconds, phases, result


def run(ctx: BenchContext) -> list[Row]:
    """Rows: the whole job's duration against the 10 s target, its phases, and the fit against the truth."""
    n = _customers(ctx)
    started = time.monotonic()
    tenant_id, orders = _workspace(ctx, n)
    ctx.progress.say(f"[bench] customer_value: workspace ready ({n:,} customers, {orders:,} orders) "
                     f"in {time.monotonic() - started:.0f} s")
    samples, phases, result = [], {}, None
    for _ in range(REPEATS):
        seconds, phases, result = _timed_run(ctx, tenant_id)
        samples.append(seconds)
    if result["status"] != "done":
        raise RuntimeError(f"the customer value run ended {result['status']}")
    bg, gg = result["bgnbd"], result["gamma_gamma"]
    fitted = (f"fitted r {bg['r']:.3g}, α {bg['alpha']:.3g}, a {bg['a']:.3g}, b {bg['b']:.3g}; p {gg['p']:.3g}, "
              f"q {gg['q']:.3g}, v {gg['v']:.3g} (drawn with r {TRUTH['r']:g}, α {TRUTH['alpha']:g}, a {TRUTH['a']:g}, "
              f"b {TRUTH['b']:g}; p {TRUTH['p']:g}, q {TRUTH['q']:g}, v {TRUTH['v']:g})")
    name = f"BG/NBD + Gamma-Gamma for {n:,} customers, {orders:,} orders: read orders to predictions written"
    rows = [Row("customer_value", name, "s", Stats.of(samples), None, "", Target("max", 10, "s"),
                f"app role with RLS, one workspace, {REPEATS} runs (each also scores RFM); {fitted}")]
    for phase, seconds in phases.items():
        rows.append(Row("customer_value", f"  phase: {phase}", "s", Stats.single(seconds), None, "", None,
                        "last run"))
    return rows
