"""`saas plugin ...`: list plugins, scaffold a new one, run plugins' scheduled jobs."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group("plugin")
def plugin_group() -> None:
    """Plugins: list them, scaffold one, run their scheduled jobs."""


@plugin_group.command("list")
@with_appcontext
def list_plugins() -> None:
    """The installed plugins with their manifest, and the broken ones."""
    from saas.plugins import platform

    for info in sorted(platform().plugins.values(), key=lambda p: p.name):
        if info.broken:
            click.echo(f"{info.name}  BROKEN  {info.error}")
        else:
            m = info.manifest
            click.echo(f"{m.name} {m.version}  {m.publisher}  plan={m.plan}  ({info.source})")


@plugin_group.command("new")
@click.argument("name")
@click.option("--directory", "-d", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to create the package (default: ./NAME).")
def new(name: str, directory: Path | None) -> None:
    """Scaffold a plugin package NAME (lower-case letters, digits, underscores)."""
    from saas.modules.apps.scaffold import ScaffoldError, scaffold

    try:
        target = scaffold(name, directory or Path.cwd() / name)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created the plugin {name} in {target}")
    click.echo(f"Install it with: pip install -e {target}")
    click.echo(f"Test it with: python -m pytest {target / 'tests'}")


@plugin_group.command("run-scheduled")
@with_appcontext
def run_scheduled() -> None:
    """Run every plugin's scheduled jobs once now, for each workspace that enabled the plugin."""
    from saas.modules.apps.scheduling import run_all_now

    for job, count in run_all_now():
        click.echo(f"{job['plugin']}: {job['func']} for {count} workspace(s)")


@plugin_group.command("cron")
@with_appcontext
def cron() -> None:
    """Run rq's cron scheduler with the plugins' scheduled jobs (needs REDIS_URL and `saas worker`)."""
    from saas.jobs import redis_connection
    from saas.modules.apps.scheduling import start_cron

    conn = redis_connection()
    if conn is None:
        raise click.ClickException("REDIS_URL is not set: run `saas plugin run-scheduled` from cron instead.")
    start_cron(conn)
