"""Plugins' scheduled jobs: each runs once per workspace that enabled the plugin, as a
background job carrying that workspace's tenant id."""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import select

from saas.extensions import db
from saas.jobs import enqueue

log = logging.getLogger("saas.plugins.scheduling")


def _dotted(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def scheduled_jobs() -> list[dict]:
    """Every plugin's scheduled jobs: {"plugin", "func" (dotted name), "cron" or "interval"}."""
    from saas.plugins import platform

    jobs = []
    for plugin, items in platform().call_each("scheduled_jobs"):
        for item in items:
            jobs.append({"plugin": plugin, "func": _dotted(item["func"]),
                         "cron": item.get("cron"), "interval": item.get("interval")})
    return jobs


def run_for_enabled_workspaces(plugin: str, func_name: str) -> int:
    """Enqueue `func_name()` for each workspace that enabled `plugin`; returns how many."""
    from saas.jobs import _resolve
    from saas.plugins import enabled_plugins
    from saas.tenants.models import Workspace

    func = _resolve(func_name)
    count = 0
    for workspace in db.session.scalars(select(Workspace).order_by(Workspace.id)).all():
        if plugin in enabled_plugins(workspace):
            enqueue(func, tenant_id=workspace.id)
            count += 1
    db.session.commit()  # jobs enqueued inside a transaction leave when it commits
    log.info("scheduled %s of %s ran for %d workspaces", func_name, plugin, count)
    return count


def run_all_now() -> list[tuple[dict, int]]:
    """Run every scheduled job once now (for a system cron without Redis, and for tests)."""
    return [(job, run_for_enabled_workspaces(job["plugin"], job["func"])) for job in scheduled_jobs()]


def start_cron(connection) -> None:
    """Run rq's cron scheduler with every plugin's jobs (blocks)."""
    from rq.cron import CronScheduler

    from saas.jobs import execute

    scheduler = CronScheduler(connection=connection)
    for job in scheduled_jobs():
        scheduler.register(execute, "default", args=(f"{__name__}.run_for_enabled_workspaces", None,
                                                     [job["plugin"], job["func"]], {}),
                           cron=job["cron"], interval=job["interval"], name=f"{job['plugin']}:{job['func']}")
    scheduler.start()
