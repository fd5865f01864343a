"""(e) The peak RSS of an rq worker (`saas worker`) after the largest job, beside the same worker
after a job that does nothing."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.benchmarks.processes import REPO, app_environment
from bench.context import BenchContext
from bench.database import app_config
from bench.measure import Row, Stats, Target

QUEUE = "bench"
# Runs a command and prints the peak RSS (KiB) of its largest descendant: rq forks a work horse
# per job, so the job's memory is the horse's, which only the parent's rusage still knows.
PEAK_RSS = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
            "print('PEAK_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def _worker_peak(ctx: BenchContext) -> int:
    saas = Path(sys.executable).with_name("saas")
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, str(saas), "worker", "--burst", "--queue", QUEUE],
                         cwd=REPO, env=app_environment(ctx.urls, redis=True), capture_output=True, text=True,
                         timeout=3600)
    line = next((l for l in out.stdout.splitlines() if l.startswith("PEAK_KIB")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"the rq worker failed: {out.stderr[-2000:]}")
    return int(line.split()[1])


def _run_job(ctx: BenchContext, func, tenant_id: int) -> tuple[int, float, object]:
    """Enqueue `func` for the workspace, let a fresh worker run it; (peak KiB, job seconds, result)."""
    from rq.job import Job

    from saas import create_app
    from saas.jobs import enqueue, redis_connection

    app = create_app({**app_config(ctx.urls), "REDIS_URL": ctx.urls.redis})
    with app.app_context():
        job_id = enqueue(func, queue=QUEUE, tenant_id=tenant_id)
        conn = redis_connection()
        peak = _worker_peak(ctx)
        job = Job.fetch(job_id, connection=conn)
        if job.get_status() != "finished":
            raise RuntimeError(f"job {func.__name__} ended {job.get_status()}: {job.exc_info}")
        return peak, (job.ended_at - job.started_at).total_seconds(), job.return_value()


def run(ctx: BenchContext) -> list[Row]:
    """Rows: worker peak RSS after the largest job against after a no-op job; the job's duration."""
    from redis import Redis
    from redis.exceptions import RedisError

    from bench import jobs
    from bench.runner import BenchmarkUnavailable

    if not ctx.urls.redis:
        raise BenchmarkUnavailable("no Redis URL: set BENCH_REDIS_URL or --redis-url")
    try:
        Redis.from_url(ctx.urls.redis).ping()
    except RedisError as exc:
        raise BenchmarkUnavailable(f"Redis does not answer at {ctx.urls.redis} ({exc}); set BENCH_REDIS_URL") from exc
    ws = ctx.largest
    started = time.monotonic()
    idle_peak, _, _ = _run_job(ctx, jobs.noop, ws.tenant_id)
    peak, seconds, exported = _run_job(ctx, jobs.export_contacts, ws.tenant_id)
    ctx.progress.say(f"[bench] jobs: two worker runs in {time.monotonic() - started:.0f} s")
    name = f"rq worker peak RSS after the largest job (export of {exported:,} contacts)"
    return [
        Row("memory", name, "MiB", Stats.single(peak / 1024), Stats.single(idle_peak / 1024),
            "after a no-op job", Target("max", 500, "MiB"),
            "`saas worker --burst`; peak of the forked work horse (getrusage of its parent); the job pages "
            "through the query builder 500 contacts at a time into a CSV file"),
        Row("jobs", f"largest job: export of {exported:,} contacts", "s", Stats.single(seconds), None, "", None,
            "rq's started_at to ended_at, single run"),
    ]
