"""(g) Lifecycle: a full re-evaluation of one workspace's customers by six rules, through the real
job (saas.modules.lifecycle.jobs.run_evaluation: one statement that decides, records the moves in
the history and applies them, the stage actions' pass, the commit) as the app role under row-level
security, against one hand-written UPDATE making the same assignment, in the same run; then both
results compared row by row.

The workspace ("lifecycle-bench") is made here, not by the shared generator, at the size the issue
names: 1,000,000 customers with 8,000,000 orders (300 and 2,400 at the tiny scale of the tests).
Its rules and custom field go through the app's services; its rows are written set-based as the
owner (INSERT ... SELECT over generate_series, seeded random()), made once per size and seed.
Each customer has a rhythm (a usual gap between orders), a last order and a basket size, so the
rules split them the way a real shop's customers split.

Three states are timed, each for the service and for the UPDATE, taking turns: the first pass
(everyone in the first stage, no history: nearly everyone moves), a typical night (one customer in
NIGHTLY out of place) and a night when nobody moves. Before each: contacts vacuumed, a checkpoint.
"""
from __future__ import annotations

import time
from datetime import date, timedelta

from bench.context import BenchContext
from bench.measure import Row, Stats, Target, phase_timer

SLUG = "lifecycle-bench"
EMAIL = "lifecycle-bench@bench.example"
SIZES = {"tiny": (300, 2_400)}                  # (customers, orders); every other scale: the issue's
DEFAULT_SIZE = (1_000_000, 8_000_000)
REPEATS = {"tiny": 2}                           # timed passes of each; every other scale: 3
DEFAULT_REPEATS = 3
FIRST_STAGE = "awareness"
NIGHTLY = 20                                    # a typical night: one customer in 20 out of place
TIERS = "bronze\nsilver\ngold"

# The rules by priority, over the funnel template's stages (seed 000): what a shop would set up.
RULES = (
    ("No order for a year", "churned", [{"type": "days_since_order", "compare": "more_than", "days": 365}]),
    ("Overdue against their rhythm", "at_risk", [{"type": "overdue_vs_usual", "factor": 2, "min_orders": 3}]),
    ("Gold members", "loyalty", [{"type": "field", "field": "tier", "op": "eq", "value": "gold"}]),
    ("Big spenders", "loyalty", [{"type": "order_total", "compare": "at_least", "amount": 3000, "days": 365}]),
    ("Repeat buyers", "retention", [{"type": "order_count", "compare": "at_least", "count": 2, "days": 180}]),
    ("Buyers", "purchase", [{"type": "order_count", "compare": "at_least", "count": 1, "days": None}]),
)

# The same assignment by hand: one grouped pass over the orders, one CASE, one UPDATE of the
# customers whose stage changes. %(d180)s etc. are the windows' first days.
HAND_UPDATE = """
update contacts c set lifecycle_stage = t.stage
from (
    select c.id, case
        when o.last_on < %(d365)s then 'churned'
        when o.n >= 3 and (%(today)s - o.last_on)::float8 > 2 * (o.last_on - o.first_on)::float8 / (o.n - 1)
            then 'at_risk'
        when c.custom ->> 'tier' = 'gold' then 'loyalty'
        when coalesce(o.spent_365, 0) >= 3000 then 'loyalty'
        when coalesce(o.n_180, 0) >= 2 then 'retention'
        when o.n >= 1 then 'purchase'
        else coalesce(c.lifecycle_stage, 'awareness')
    end as stage
    from contacts c
    left join (
        select contact_id, count(*) as n, min(ordered_on) as first_on, max(ordered_on) as last_on,
               count(*) filter (where ordered_on >= %(d180)s) as n_180,
               sum(amount) filter (where ordered_on >= %(d365)s) as spent_365
        from orders
        where tenant_id = %(tenant)s and contact_id is not null and status not in ('cancelled', 'refunded')
        group by contact_id
    ) o on o.contact_id = c.id
    where c.tenant_id = %(tenant)s
) t
where c.tenant_id = %(tenant)s and c.id = t.id and c.lifecycle_stage is distinct from t.stage
"""


def _size(ctx: BenchContext) -> tuple[int, int]:
    return SIZES.get(ctx.scale.name, DEFAULT_SIZE)


def _workspace(ctx: BenchContext, customers: int, orders: int) -> int:
    """The benchmark workspace with its rules and rows (made when missing or of another size); its id."""
    from saas.extensions import db
    from saas.metadata import definitions
    from saas.metadata import lifecycle as stages
    from saas.modules.lifecycle import rules
    from saas.tenants import accounts
    from saas.tenants.context import tenant_context
    from saas.tenants.workspaces import create_workspace

    name = f"Lifecycle bench | {customers} customers · {orders} orders by date · seed {ctx.seed}"
    with ctx.connect("owner") as conn:
        row = conn.execute("select id, name from workspaces where slug = %s", (SLUG,)).fetchone()
        if row and row[1] == name:
            return row[0]
        if row:
            ctx.progress.say(f"[bench] lifecycle: removing the workspace of another size ({row[1]})")
            conn.execute("delete from workspaces where id = %s", (row[0],))
            conn.commit()
    with ctx.app.app_context():
        owner = accounts.user_by_email(EMAIL) or accounts.create_user(EMAIL, "Lifecycle bench", "bench-password-42")
        db.session.flush()
        workspace = create_workspace(name, owner, slug=SLUG)
        db.session.commit()
        tenant_id = workspace.id
        with tenant_context(tenant_id):
            definitions.add_field("contact", labels={"en": "Member tier"}, type="single_select", key="tier",
                                  options=TIERS)
            db.session.commit()
            by_key = stages.stage_map()
            for rule_name, stage, conditions in RULES:
                rules.save_rule(None, rule_name, by_key[stage].id, "all", conditions)
            db.session.commit()
        db.session.remove()
    _fill(ctx, tenant_id, customers, orders)
    return tenant_id


def _fill(ctx: BenchContext, tenant_id: int, customers: int, orders: int) -> None:
    started = time.monotonic()
    ctx.progress.say(f"[bench] lifecycle: writing {customers:,} customers and {orders:,} orders")
    with ctx.connect("owner") as conn:
        conn.execute("select set_config('app.tenant_id', %s, true)", (str(tenant_id),))
        # The owner is a superuser here: skip the per-row foreign key triggers; every reference is
        # made from the rows just written, in the same workspace.
        conn.execute("set local session_replication_role = replica")
        conn.execute("select setseed(%s)", (((ctx.seed * 7919) % 10_000) / 10_000 - 0.5,))
        conn.execute(
            "insert into contacts (tenant_id, name, lifecycle_stage, custom, tags, created_at, updated_at) "
            "select %(t)s, 'Customer ' || to_char(g, 'FM0000000'), %(first)s, "
            "jsonb_build_object('tier', case when r < 0.05 then 'gold' when r < 0.25 then 'silver' else 'bronze' end), "
            "'[]'::jsonb, now(), now() "
            "from (select g, random() as r from generate_series(1, %(n)s) g) s",
            {"t": tenant_id, "first": FIRST_STAGE, "n": customers})
        # Per customer: how many orders (12 % none; the rest 1 + an exponential of mean 8.7), the
        # usual gap between them (7-97 days), the days since the last one (most within a couple of
        # their gaps, 15 % long gone) and the basket; then the orders, LIMIT to the exact count,
        # stored by date as a shop's orders arrive (a customer's orders lie far apart on disk).
        conn.execute(
            "insert into orders (tenant_id, number, contact_id, ordered_on, amount, currency, status, custom, "
            "created_at, updated_at) "
            "select * from ("
            "  select %(t)s, 'LC-' || c.id || '-' || k, c.id, "
            "  current_date - least(3650, c.since + ((k - 1) * c.gap * (0.6 + 0.8 * random()))::int) as on_, "
            "  round((c.basket * (0.5 + random()))::numeric, 2), 'CNY', "
            "  case when random() < 0.04 then 'cancelled' when random() < 0.02 then 'refunded' else 'paid' end, "
            "  '{}'::jsonb, now(), now() "
            "  from (select id, gap, basket, "
            "          case when random() < 0.12 then 0 else 1 + floor(-ln(1 - random()) * 8.7)::int end as n, "
            "          case when random() < 0.15 then 200 + floor(random() * 800)::int "
            "               else floor(-ln(1 - random()) * gap * 1.2)::int end as since "
            "        from (select id, 7 + floor(random() * 90)::int as gap, 30 + floor(random() * 400) as basket "
            "              from contacts where tenant_id = %(t)s) p) c "
            "  cross join lateral generate_series(1, c.n) k "
            "  limit %(orders)s) o "
            "order by on_",
            {"t": tenant_id, "orders": orders})
        conn.commit()
    with ctx.connect("owner") as conn:
        conn.autocommit = True
        for table in ("contacts", "orders"):
            conn.execute(f"vacuum (analyze) {table}")
    ctx.progress.say(f"[bench] lifecycle: rows written in {time.monotonic() - started:.0f} s")


def _reset(owner, tenant_id: int) -> None:
    """Everyone back in the first stage, no history: the state the first pass starts from."""
    owner.execute("update contacts set lifecycle_stage = %s where tenant_id = %s and lifecycle_stage is distinct "
                  "from %s", (FIRST_STAGE, tenant_id, FIRST_STAGE))
    owner.execute("delete from lifecycle_moves where tenant_id = %s", (tenant_id,))
    owner.execute("delete from lifecycle_evaluations where tenant_id = %s", (tenant_id,))
    _settle(owner)


def _nudge(owner, tenant_id: int) -> int:
    """A night's worth of change: one customer in NIGHTLY back in the first stage; how many."""
    moved = owner.execute("update contacts set lifecycle_stage = %s where tenant_id = %s and id %% %s = 0 and "
                          "lifecycle_stage is distinct from %s",
                          (FIRST_STAGE, tenant_id, NIGHTLY, FIRST_STAGE)).rowcount
    _settle(owner)
    return moved


def _settle(owner) -> None:
    # No dead rows, no pending writes from the last pass: each timed pass starts alike.
    for table in ("contacts", "lifecycle_moves"):
        owner.execute(f"vacuum (analyze) {table}")
    owner.execute("checkpoint")


def _service_pass(ctx: BenchContext, tenant_id: int) -> tuple[float, dict, int]:
    """One full re-evaluation through the job, as the app role; (seconds, phase seconds, moved)."""
    from saas.extensions import db
    from saas.modules.lifecycle import actions, evaluation, jobs
    from saas.modules.lifecycle.models import Evaluation
    from saas.tenants.context import tenant_context

    phases: dict[str, float] = {}
    originals = (evaluation.evaluate_all, actions.run_for_evaluation)

    timed = phase_timer(phases)

    with ctx.app.app_context(), tenant_context(tenant_id):
        evaluation.evaluate_all = timed("decide, record and apply (one statement)", originals[0])
        actions.run_for_evaluation = timed("the stage actions' pass", originals[1])
        try:
            run = Evaluation(trigger="manual", status="queued", steps_done=0, steps_total=jobs.STEPS, moved=0)
            db.session.add(run)
            db.session.commit()
            run_id = run.id
            started = time.perf_counter()
            moved = jobs.run_evaluation(run_id)
            seconds = time.perf_counter() - started
            status = jobs.get_evaluation(run_id).status
        finally:
            evaluation.evaluate_all, actions.run_for_evaluation = originals
            db.session.remove()
    if status != "done":
        raise RuntimeError(f"the lifecycle evaluation ended {status}")
    return seconds, phases, moved


def _hand_pass(ctx: BenchContext, tenant_id: int, today: date) -> tuple[float, int]:
    """The hand-written UPDATE as the app role, with the session settings the service's pass takes,
    committed; (seconds, rows updated)."""
    from saas.modules.lifecycle.evaluation import PASS_SETTINGS

    params = {"tenant": tenant_id, "today": today, "d180": today - timedelta(days=180),
              "d365": today - timedelta(days=365)}
    with ctx.connect("app") as conn:
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("select set_config('app.tenant_id', %s, true)", (str(tenant_id),))
            for name, value in PASS_SETTINGS.items():
                conn.execute("select set_config(%s, %s, true)", (name, value))
            updated = conn.execute(HAND_UPDATE, params).rowcount
        return time.perf_counter() - started, updated


def _differences(owner, tenant_id: int) -> int:
    """Customers whose stage now differs from the service's result kept in lifecycle_bench_service."""
    return owner.execute("select count(*) from contacts c left join lifecycle_bench_service s on s.id = c.id "
                         "where c.tenant_id = %s and c.lifecycle_stage is distinct from s.lifecycle_stage",
                         (tenant_id,)).fetchone()[0]


def run(ctx: BenchContext) -> list[Row]:
    """Rows: the first full re-evaluation (everyone moves) against the hand-written UPDATE, with the
    20 s limit; a typical night (a few move) and a night when nobody moves, against the same UPDATE;
    the phases; the agreement of both assignments."""
    from saas.modules.lifecycle.evaluation import utcnow

    customers, orders = _size(ctx)
    started = time.monotonic()
    tenant_id = _workspace(ctx, customers, orders)
    with ctx.connect("owner") as conn:
        present = conn.execute("select count(*) from orders where tenant_id = %s", (tenant_id,)).fetchone()[0]
    ctx.progress.say(f"[bench] lifecycle: workspace ready ({customers:,} customers, {present:,} orders) "
                     f"in {time.monotonic() - started:.0f} s")
    repeats = REPEATS.get(ctx.scale.name, DEFAULT_REPEATS)
    service = {"first": [], "night": [], "settled": []}
    hand = {"first": [], "night": [], "settled": []}
    phases: dict = {}
    moved = updated = nudged = night_moved = night_updated = mismatches = 0
    with ctx.connect("owner") as owner:
        owner.autocommit = True
        for round_ in range(repeats):
            ctx.progress.say(f"[bench] lifecycle: round {round_ + 1}/{repeats}")
            # The service: the first pass, the next one (nobody moves), a typical night.
            _reset(owner, tenant_id)
            seconds, phases, moved = _service_pass(ctx, tenant_id)
            service["first"].append(seconds)
            today = utcnow().date()
            seconds, _phases, again = _service_pass(ctx, tenant_id)
            service["settled"].append(seconds)
            if again:
                raise RuntimeError(f"a second pass moved {again} customers")
            owner.execute("drop table if exists lifecycle_bench_service")
            owner.execute("create temporary table lifecycle_bench_service as select id, lifecycle_stage "
                          "from contacts where tenant_id = %s", (tenant_id,))
            nudged = _nudge(owner, tenant_id)
            seconds, _phases, night_moved = _service_pass(ctx, tenant_id)
            service["night"].append(seconds)
            # The hand-written UPDATE, from the same states.
            _reset(owner, tenant_id)
            seconds, updated = _hand_pass(ctx, tenant_id, today)
            hand["first"].append(seconds)
            mismatches = _differences(owner, tenant_id)
            hand["settled"].append(_hand_pass(ctx, tenant_id, today)[0])
            _nudge(owner, tenant_id)
            seconds, night_updated = _hand_pass(ctx, tenant_id, today)
            hand["night"].append(seconds)
            mismatches += _differences(owner, tenant_id)
        by_stage = dict(owner.execute("select lifecycle_stage, count(*) from lifecycle_bench_service "
                                      "group by 1 order by 2 desc").fetchall())
        _reset(owner, tenant_id)
    split = ", ".join(f"{stage} {n:,}" for stage, n in by_stage.items())
    size = f"{customers:,} customers, {present:,} orders, {len(RULES)} rules"
    baseline = "one hand-written UPDATE"
    how = ("the job as the app role under RLS (decide, record in the history, apply, actions pass, commit); "
           "the UPDATE as the same role, same session settings")
    rows = [
        Row("lifecycle", f"first full re-evaluation, {size}: everyone starts in the first stage", "s",
            Stats.of(service["first"]), Stats.of(hand["first"]), baseline, Target("ratio_max", 2.0),
            f"{how}; {moved:,} moved by the service, {updated:,} rows by the UPDATE"),
        Row("lifecycle", "  the same, against the issue's time limit", "s", Stats.of(service["first"]),
            target=Target("max", 20, "s"), note=f"result: {split}"),
        Row("lifecycle", f"  a typical night: 1 customer in {NIGHTLY} out of place", "s", Stats.of(service["night"]),
            Stats.of(hand["night"]), baseline, Target("max", 20, "s"),
            f"{nudged:,} put back in the first stage; {night_moved:,} moved by the service, {night_updated:,} rows "
            f"by the UPDATE"),
        Row("lifecycle", "  a night when nobody moves", "s", Stats.of(service["settled"]), Stats.of(hand["settled"]),
            baseline + ", nothing to change"),
    ]
    for phase, seconds in phases.items():
        rows.append(Row("lifecycle", f"  phase of the first pass: {phase}", "s", Stats.single(seconds), None, "",
                        None, "last round"))
    rows.append(Row("lifecycle", "  customers whose stage differs between the service and the UPDATE", "",
                    Stats.single(mismatches), target=Target("max", 0),
                    note="compared row by row after the first pass and after the night, last round"))
    return rows
