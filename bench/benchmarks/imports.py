"""(import) Importing contacts from a CSV file through the import job, beside PostgreSQL COPY of
the same file into an equivalent table, measured in the same run.

The file: N contacts (1,000,000 at every scale but tiny) with 10 mapped columns: name, e-mail,
phone (written as people write them: spaces, dashes, +86), job title and company (standard
fields), and 5 custom fields (text, number, date, single select, yes/no). Companies repeat
(2,000 names), so the first chunks create them and the later ones find them.

The import: a new workspace (its custom fields made through the metadata services, every module
it gets by default switched on: lifecycle, analytics, webhooks ...), the file uploaded and mapped
as the browser would (match on e-mail, skip duplicates; the upload limit IMPORT_MAX_BYTES raised to
the file's size, as an operator would), then the job the worker runs (`saas.jobs.execute` of
`run_import`) in a child process, as the app role: row-level security applies. The child's peak
RSS is the worker's memory; it also reports the time spent in SQL statements and in the lifecycle
module's hook. The plan's records limit is raised to twice N, so the limit is checked (counted)
once per chunk as on any plan with a limit.

The baseline: as the table owner, COPY of the same file into a temporary table of text columns,
then one INSERT ... SELECT into a table with the contact table's columns, defaults and indexes,
the custom values built into its jsonb column: no cleaning, no validation, no checks.
"""
from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.benchmarks.processes import REPO, app_environment
from bench.context import BenchContext
from bench.measure import Row, Stats, Target
from bench.generate import vocabulary as words

FULL_ROWS = 1_000_000
TINY_ROWS = 300
COMPANIES = 2_000
SLUG_PREFIX = "bench-import-"
OWNER_EMAIL = "import@bench.example"
HEADERS = ["姓名", "E-mail", "手机", "Job title", "公司", "Member no", "Annual spend", "First purchase", "Tier",
           "Newsletter"]
CUSTOM_FIELDS = (  # key, type, English label, options
    ("member_no", "text", "Member no", None),
    ("annual_spend", "number", "Annual spend", None),
    ("first_purchase", "date", "First purchase", None),
    ("tier", "single_select", "Tier", ["bronze", "silver", "gold", "platinum"]),
    ("newsletter", "boolean", "Newsletter", None),
)
MAPPING = ["name", "email", "phone", "title", "company", *[key for key, *_rest in CUSTOM_FIELDS]]
MIN_ROWS_PER_SECOND = 30_000
MAX_COPY_RATIO = 4
MAX_PEAK_MIB = 300


def rows_for(ctx: BenchContext) -> int:
    """How many rows the file has; BENCH_IMPORT_ROWS sets it whatever the scale (for profiling)."""
    return int(os.environ.get("BENCH_IMPORT_ROWS") or (TINY_ROWS if ctx.scale.name == "tiny" else FULL_ROWS))


def write_file(path: Path, n: int, seed: int) -> None:
    """The CSV the import and the COPY both read (UTF-8, a header row)."""
    rng = random.Random(seed)
    companies = [f"{rng.choice(words.COMPANY_WORDS)}{rng.choice(words.COMPANY_WORDS)}{i:04d}"
                 f"{rng.choice(words.COMPANY_SUFFIXES)}" for i in range(COMPANIES)]
    titles = [t for t in words.TITLES if t]
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i in range(n):
            if rng.random() < 0.6:
                name = rng.choice(words.SURNAMES) + rng.choice(words.GIVEN_NAMES)
            else:
                name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
            mobile = f"1{rng.choice('358')}{rng.randrange(10 ** 9):09d}"
            phone = rng.choice((mobile, f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", f"+86 {mobile}",
                                f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"))
            writer.writerow([
                name, f"c{i}.{rng.randrange(10 ** 6)}@example.com", phone, rng.choice(titles),
                rng.choice(companies) if rng.random() < 0.8 else "",
                f"M{seed:02d}{i:08d}", f"{rng.lognormvariate(7, 1.2):.2f}",
                f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                rng.choice(("bronze", "bronze", "silver", "gold", "platinum")), rng.choice(("yes", "no", "")),
            ])


# --- the import ----------------------------------------------------------------------------------

def _remove_bench_workspaces(ctx: BenchContext) -> None:
    """Workspaces of earlier runs go (their contacts with them), so each run imports into an empty one."""
    with ctx.connect("owner") as conn:
        ids = [r[0] for r in conn.execute("select id from workspaces where slug like %s", (SLUG_PREFIX + "%",))]
        for tenant_id in ids:
            conn.execute("delete from workspaces where id = %s", (tenant_id,))
        conn.commit()


def _prepare_run(ctx: BenchContext, path: Path, files_dir: Path) -> tuple[int, int]:
    """A new workspace with the custom fields, and the import uploaded and mapped: (tenant id, run id)."""
    from saas.extensions import db
    from saas.metadata.definitions import add_field
    from saas.modules.billing.accounts import set_plan
    from saas.modules.imports import runs
    from saas.tenants import accounts
    from saas.tenants.context import tenant_context
    from saas.tenants.workspaces import create_workspace

    app = ctx.app
    # An operator importing a file this size raises the upload limit (IMPORT_MAX_BYTES) too.
    app.config.update(IMPORT_FILES_DIR=str(files_dir), IMPORT_MAX_BYTES=path.stat().st_size + 2**20)
    with app.app_context():
        owner = accounts.user_by_email(OWNER_EMAIL) or accounts.create_user(OWNER_EMAIL, "Import Bench",
                                                                            "bench-password-2026")
        workspace = create_workspace(f"Bench import {int(time.time())}", owner)
        workspace.slug = f"{SLUG_PREFIX}{workspace.id}"
        db.session.commit()
        with tenant_context(workspace.id):
            set_plan(workspace, "pro")
            for key, type_, label, options in CUSTOM_FIELDS:
                add_field("contact", labels={"en": label}, type=type_, key=key, options=options)
            db.session.commit()
            with open(path, "rb") as stream:
                run = runs.upload(stream, path.name, "contact", owner.id)
            runs.configure(run, MAPPING, "email", "skip", False)
            run.status = "queued"
            db.session.commit()
            ids = workspace.id, run.id
        db.session.remove()
    return ids


# The worker: only the app and the job, as `saas worker` would hold them (not the bench's own
# modules). The plan's records limit is raised for the import (the Pro plan allows 250,000).
CHILD = """
import json, resource, sys, time
from dataclasses import replace

from saas import create_app
from saas.extensions import db
from saas.jobs import execute
from saas.modules.billing import plans
from saas.modules.imports.importer import get_run
from saas.tenants.context import tenant_context

tenant_id, run_id, limit = (int(a) for a in sys.argv[1:4])
pro = plans.PLANS["pro"]
plans.PLANS["pro"] = replace(pro, limits=replace(pro.limits, records=limit))

# Where the time goes: in SQL statements (every module's), and in the lifecycle module's hook.
from sqlalchemy import event
from sqlalchemy.engine import Engine
from saas.modules.lifecycle import batch
spent = {"sql_seconds": 0.0, "lifecycle_seconds": 0.0}

@event.listens_for(Engine, "before_cursor_execute")
def _started(conn, *args):
    conn.info["bench_started"] = time.perf_counter()

@event.listens_for(Engine, "after_cursor_execute")
def _finished(conn, *args):
    spent["sql_seconds"] += time.perf_counter() - conn.info.pop("bench_started")

def timed(hook):
    def timed_hook(*args, **kwargs):
        started = time.perf_counter()
        try:
            return hook(*args, **kwargs)
        finally:
            spent["lifecycle_seconds"] += time.perf_counter() - started
    return timed_hook

batch.on_records_creating = timed(batch.on_records_creating)
batch.on_records_created = timed(batch.on_records_created)
app = create_app()
with app.app_context():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    execute("saas.modules.imports.importer.run_import", tenant_id, [run_id], {})
    seconds = time.perf_counter() - started
    with tenant_context(tenant_id):
        run = get_run(run_id)
        result = {"status": run.status, "created": run.created_count, "updated": run.updated_count,
                  "skipped": run.skipped_count, "failed": run.failed_count, "message": run.message}
    db.session.remove()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("RESULT " + json.dumps({"seconds": seconds, "peak_kib": peak, "before_kib": before, **spent, **result}),
      flush=True)
"""


def _run_child(ctx: BenchContext, tenant_id: int, run_id: int, n: int, files_dir: Path) -> dict:
    """Run the import job in a process of its own: its time, peak RSS and counts."""
    env = {**app_environment(ctx.urls), "IMPORT_FILES_DIR": str(files_dir)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(tenant_id), str(run_id), str(2 * n)],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=4 * 3600)
    line = next((l for l in out.stdout.splitlines() if l.startswith("RESULT ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"the import process failed: {out.stderr[-3000:]}")
    return json.loads(line[len("RESULT "):])


# --- the baseline --------------------------------------------------------------------------------

COPY_TABLE = "bench_import_copy"


def _copy_baseline(ctx: BenchContext, path: Path, tenant_id: int) -> float:
    """Seconds to COPY the file into a text table and move it into a table shaped like contacts."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    custom = ", ".join(f"'{key}', c{5 + i}" for i, (key, *_r) in enumerate(CUSTOM_FIELDS))
    with ctx.connect("owner") as conn:
        conn.execute(f"drop table if exists {COPY_TABLE}")
        conn.execute(f"create table {COPY_TABLE} (like contacts including defaults including indexes)")
        conn.execute(f"alter table {COPY_TABLE} add column company text")
        conn.commit()
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(f"create temp table bench_import_file ({columns}) on commit drop")
            with open(path, "rb") as data, conn.cursor().copy(
                    "copy bench_import_file from stdin with (format csv, header true)") as copy:
                while block := data.read(1 << 20):
                    copy.write(block)
            conn.execute(
                f"insert into {COPY_TABLE} (tenant_id, name, email, phone, title, company, custom, tags, "
                f"created_at, updated_at) select %s, c0, c1, c2, c3, nullif(c4, ''), "
                f"jsonb_strip_nulls(jsonb_build_object({custom})), '[]'::jsonb, now(), now() "
                f"from bench_import_file", (tenant_id,))
        seconds = time.perf_counter() - started
        conn.execute(f"drop table {COPY_TABLE}")
        conn.commit()
    return seconds


# --- the benchmark -------------------------------------------------------------------------------

def run(ctx: BenchContext) -> list[Row]:
    """Rows: the import's time against COPY's (target ratio ≤ 4), its rows/s (≥ 30,000), the
    import process's peak RSS (≤ 300 MiB)."""
    n = rows_for(ctx)
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        path = work / "contacts.csv"
        started = time.monotonic()
        write_file(path, n, ctx.seed)
        ctx.progress.say(f"[bench] import: wrote {n:,} rows ({path.stat().st_size / 2**20:.0f} MiB) "
                         f"in {time.monotonic() - started:.0f} s")
        _remove_bench_workspaces(ctx)
        tenant_id, run_id = _prepare_run(ctx, path, work / "files")
        # COPY before and after the import: the machine's load during the long import is met halfway.
        copies = [_copy_baseline(ctx, path, tenant_id)]
        result = _run_child(ctx, tenant_id, run_id, n, work / "files")
        if result["status"] != "done" or result["created"] != n:
            raise RuntimeError(f"the import ended {result}")
        ctx.progress.say(f"[bench] import: {n:,} rows in {result['seconds']:.1f} s")
        copies.append(_copy_baseline(ctx, path, tenant_id))
        ctx.progress.say(f"[bench] import: COPY baseline in {copies[0]:.1f} s and {copies[1]:.1f} s")
        _remove_bench_workspaces(ctx)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = result["seconds"]
    copy_time = Stats.of(copies)
    copy_rate = Stats.of([n / c for c in copies])
    base = "COPY of the same file into an equivalent table (owner, no RLS; before and after the import)"
    note = (f"{n:,} rows, 10 mapped columns (name, e-mail, phone, job title, company; 5 custom: text, number, "
            f"date, single select, yes/no), match on e-mail, skip duplicates; new workspace with its default "
            f"modules; the job (`run_import` through `saas.jobs.execute`) in a child process as the app role "
            f"(row-level security on), file streamed, chunks of 5,000 rows; {result['created']:,} created. "
            f"Baseline: COPY into a text table, then INSERT ... SELECT into a table with the contact table's "
            f"columns, defaults and indexes, custom values built into its jsonb column")
    return [
        Row("import", f"import of {n:,} contacts: time", "s", Stats.single(seconds), copy_time,
            base, Target("ratio_max", MAX_COPY_RATIO), note),
        Row("import", "import throughput", "rows/s", Stats.single(n / seconds), copy_rate,
            base, Target("min", MIN_ROWS_PER_SECOND, "rows/s")),
        Row("import", "of the import: SQL statements (every module's)", "s", Stats.single(result["sql_seconds"]),
            note="time inside the database driver's execute, summed over the job's statements; the rest of the "
                 "import's time is Python: reading, cleaning, validating and preparing each chunk"),
        Row("import", "of the import: the lifecycle module placing each new customer", "s",
            Stats.single(result["lifecycle_seconds"]),
            note="its records_creating and records_created hooks (SQL and Python): each chunk's new customers' "
                 "stages decided over their rows before the insert, then their moves recorded"),
        Row("memory", "import process peak RSS", "MiB", Stats.single(result["peak_kib"] / 1024),
            Stats.single(result["before_kib"] / 1024), "the same process before the job",
            Target("max", MAX_PEAK_MIB, "MiB"), "ru_maxrss of the child process that ran the job"),
    ]
