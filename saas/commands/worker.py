"""`saas worker`: an rq worker with the scheduler, inside the app context."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from saas.jobs import QUEUES, redis_connection


@click.command("worker")
@click.option("--queue", "queues", multiple=True, help="Queues to work on (default: all).")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run background jobs from Redis (needs REDIS_URL)."""
    from rq import Worker

    conn = redis_connection()
    if conn is None:
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run inline in the web process.")
    names = list(queues) or list(QUEUES)
    click.echo(f"Worker on {', '.join(names)} at {current_app.config['REDIS_URL']}")
    Worker(names, connection=conn).work(with_scheduler=True, burst=burst)
