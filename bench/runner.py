"""`python -m bench [names...] [--scale small|medium|large] [--database-url URL]`: prepare the
benchmark database (create, migrate, generate data when missing), run the chosen benchmarks,
print the table and write it to bench/results/latest.md."""
from __future__ import annotations

import argparse
import logging
import sys
import time

from bench.benchmarks import BENCHMARKS
from bench.context import BenchContext
from bench.database import ensure_database, migrate, resolve_urls
from bench.generate import existing_fingerprint, fingerprint, generate
from bench.measure import Row
from bench.progress import Progress
from bench.report import RunInfo, terminal_table, write_markdown
from bench.scales import SCALES


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Benchmarks: " + "; ".join(f"{k}: {v[0]}" for k, v in BENCHMARKS.items()))
    parser.add_argument("names", nargs="*", metavar="name", help="benchmarks to run (default: all)")
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    parser.add_argument("--database-url", help="the app role's URL (env BENCH_DATABASE_URL)")
    parser.add_argument("--owner-url", help="the table owner's URL (env BENCH_DATABASE_OWNER_URL)")
    parser.add_argument("--redis-url", help="Redis for the rq worker benchmark (env BENCH_REDIS_URL)")
    parser.add_argument("--regenerate", action="store_true", help="generate the data even if it is there")
    parser.add_argument("--results", help="where to write the Markdown table (default bench/results/latest.md)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return args


def prepare(ctx: BenchContext, regenerate: bool = False) -> str:
    """Create and migrate the database, and generate the data unless the same dataset is there."""
    progress = ctx.progress
    if ensure_database(ctx.urls):
        progress.say(f"[bench] created database {ctx.urls.database}")
    migrate(ctx.urls)
    import psycopg

    wanted = fingerprint(ctx.scale, ctx.seed)
    with psycopg.connect(ctx.urls.owner_psycopg) as conn:
        present = existing_fingerprint(conn)
    if present == wanted and not regenerate:
        progress.say(f"[bench] reusing the generated data ({wanted}); --regenerate to make it again")
    else:
        report = generate(ctx.urls.owner_psycopg, ctx.scale, ctx.seed, progress, app=ctx.app)
        ctx.notes.append(f"data generated in {report.seconds:.0f} s ({report.total_rows:,} rows)")
    return wanted


def _dataset_summary(ctx: BenchContext) -> str:
    import psycopg

    with psycopg.connect(ctx.urls.owner_psycopg) as conn:
        counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("workspaces", "contacts", "orders", "activities")}
    largest = ctx.largest
    return (", ".join(f"{n:,} {t}" for t, n in counts.items()) +
            f"; largest workspace {largest.contacts:,} contacts")


def _postgres_version(ctx: BenchContext) -> str:
    import psycopg

    with psycopg.connect(ctx.urls.owner_psycopg) as conn:
        return conn.execute("show server_version").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; 0 when every chosen one ran (figures that miss a target do not fail)."""
    args = parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    progress = Progress(quiet=args.quiet)
    urls = resolve_urls(args.database_url, args.owner_url, args.redis_url)
    ctx = BenchContext(urls=urls, scale=SCALES[args.scale], seed=args.seed, progress=progress)
    prepare(ctx, args.regenerate)
    rows: list[Row] = []
    failed: list[str] = []
    for name in args.names or list(BENCHMARKS):
        progress.say(f"[bench] {name}: {BENCHMARKS[name][0]}")
        started = time.monotonic()
        try:
            rows += BENCHMARKS[name][1](ctx)
        except BenchmarkUnavailable as why:
            progress.say(f"[bench] {name} skipped: {why}")
            ctx.notes.append(f"{name} not run: {why}")
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            logging.getLogger("bench").exception("benchmark %s failed", name)
            failed.append(name)
            ctx.notes.append(f"{name} failed: {type(exc).__name__}: {exc}")
        progress.say(f"[bench] {name} done in {time.monotonic() - started:.0f} s")
    info = RunInfo(scale=ctx.scale.name, seed=ctx.seed, dataset=_dataset_summary(ctx),
                   postgres=_postgres_version(ctx), extra=ctx.notes)
    print(terminal_table(rows))
    path = write_markdown(rows, info, _results_path(args.results))
    print(f"\nWritten to {path}")
    return 1 if failed else 0


def _results_path(value: str | None):
    from pathlib import Path

    return Path(value) if value else None


class BenchmarkUnavailable(RuntimeError):
    """A benchmark cannot run here (a tool or a server is missing); the message says how to get it."""


if __name__ == "__main__":
    sys.exit(main())
