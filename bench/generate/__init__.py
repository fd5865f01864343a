"""Fill a PostgreSQL database with benchmark data, fast: COPY as the table owner, workspace by workspace.

N workspaces sized like real customers (a few large, many small: Zipf), each with its users,
metadata (object and custom field definitions), companies, contacts with custom values of every
type, orders and activities with skewed per-customer counts (lognormal), and deals or tickets
when those tables exist. The same seed gives the same data.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg
from flask import Flask

from bench.generate.checks import broken_references
from bench.generate.copy import SkipTable, copy_rows, table_info
from bench.generate.fields import ANCHOR
from bench.generate.plan import (BENCH_EMAIL_DOMAIN, BENCH_PASSWORD, LOAD_USER_EMAIL, Ids, WorkspacePlan,
                                 members_for, seeded)
from bench.generate.tables import WORKSPACE_TABLES
from bench.progress import Progress
from bench.scales import Scale

GENERATOR_VERSION = 1
SLUG_PREFIX = "bench-"
CONTROL_TABLES = ("users", "workspaces", "memberships")


@dataclass
class GenerationReport:
    fingerprint: str
    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def fingerprint(scale: Scale, seed: int) -> str:
    """What identifies a generated dataset; kept in the name of its first workspace."""
    return f"{scale.name} · seed {seed} · v{GENERATOR_VERSION}"


def slug(index: int) -> str:
    return f"{SLUG_PREFIX}{index:04d}"


def existing_fingerprint(conn: psycopg.Connection) -> str | None:
    """The fingerprint of the bench data already in the database, if any."""
    row = conn.execute("select name from workspaces where slug = %s", (slug(0),)).fetchone()
    return row[0].partition(" | ")[2] if row else None


def remove(conn: psycopg.Connection) -> None:
    """Remove earlier bench data: TRUNCATE when the database holds nothing else, else delete it."""
    others = conn.execute("select count(*) from workspaces where slug not like %s", (SLUG_PREFIX + "%",)).fetchone()[0]
    if others == 0:
        tables = [r[0] for r in conn.execute(
            "select tablename from pg_tables where schemaname = current_schema() and tablename <> 'alembic_version'")]
        conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    else:
        conn.execute("delete from workspaces where slug like %s", (SLUG_PREFIX + "%",))
        conn.execute("delete from users where email like %s", ("%@" + BENCH_EMAIL_DOMAIN,))
    conn.commit()


def generate(owner_url: str, scale: Scale, seed: int = 1, progress: Progress | None = None,
             app: Flask | None = None) -> GenerationReport:
    """Replace the bench data in the database at `owner_url` (the tables' owner) with a fresh dataset.

    With `app` (an app on the same database), each workspace is first set up the way the app sets
    up a new one (its workspace_created hooks: standard field definitions, billing account ...).
    """
    from saas.tenants.passwords import hash_password

    progress = progress or Progress()
    started = time.monotonic()
    report = GenerationReport(fingerprint(scale, seed))
    # Autocommit: each `with conn.transaction()` below is a real transaction, not a savepoint.
    with psycopg.connect(owner_url, autocommit=True) as conn:
        remove(conn)
        infos = {t.table: table_info(conn, t.table) for t in WORKSPACE_TABLES}
        for table, info in infos.items():
            if info is None:
                report.skipped[table] = "no such table yet"
        control = {t: table_info(conn, t) for t in CONTROL_TABLES}
        ids = Ids({t: _max_id(conn, t) for t in CONTROL_TABLES})
        sizes = scale.workspace_sizes()
        fast = conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]
        plans = _plans(sizes, seed, ids)
        password_hash = hash_password(BENCH_PASSWORD)
        with conn.transaction():
            report.rows["workspaces"] = copy_rows(conn, control["workspaces"], _workspace_rows(plans, report.fingerprint))
            report.rows["users"] = copy_rows(conn, control["users"], _user_rows(plans, password_hash))
            report.rows["memberships"] = copy_rows(conn, control["memberships"], _membership_rows(plans, ids))
        _move_sequences(conn, ids.used())
        if app is not None:
            _set_up_workspaces(app, plans, progress, scale)
        # Ids of the records start after whatever the set-up wrote through the sequences.
        for table, info in infos.items():
            if info is not None:
                ids.start_after(table, _max_id(conn, table))
        total_contacts = sum(sizes)
        done_contacts = 0
        for plan in plans:
            with conn.transaction():
                # Row-level security is forced on tenant tables, for their owner too: act as the workspace.
                conn.execute("select set_config('app.tenant_id', %s, true)", (str(plan.tenant_id),))
                plan.object_ids = dict(conn.execute(
                    "select key, id from object_definitions where tenant_id = %s", (plan.tenant_id,)).fetchall())
                plan.has_version = conn.execute("select exists(select 1 from metadata_versions where tenant_id = %s)",
                                                (plan.tenant_id,)).fetchone()[0]
                if fast:
                    # A superuser may skip the per-row foreign key triggers (2-3x faster); the
                    # references are then checked set-based once at the end.
                    conn.execute("set local session_replication_role = replica")
                for generator in WORKSPACE_TABLES:
                    info = infos[generator.table]
                    if info is None or generator.table in report.skipped:
                        continue
                    try:
                        n = copy_rows(conn, info, generator.rows(plan))
                    except SkipTable as why:
                        report.skipped[generator.table] = str(why)
                        continue
                    report.rows[generator.table] = report.rows.get(generator.table, 0) + n
                # The custom fields are new metadata: move the version on, so no cache keeps the old fields.
                conn.execute("update metadata_versions set version = version + 1 where tenant_id = %s",
                             (plan.tenant_id,))
            done_contacts += plan.size
            elapsed = time.monotonic() - started
            progress.update(f"[generate {scale.name}] workspace {plan.index + 1}/{len(plans)} · "
                            f"contacts {done_contacts:,}/{total_contacts:,} · rows {report.total_rows:,} · "
                            f"{report.total_rows / max(elapsed, 1e-6):,.0f} rows/s")
            plan.contacts.clear()
            plan.company_ids.clear()
        _move_sequences(conn, ids.used())
        if fast:
            progress.update(f"[generate {scale.name}] checking every reference", force=True)
            broken = broken_references(conn, [t for t, n in report.rows.items() if n])
            if broken:
                raise RuntimeError(f"generated rows break references: {broken}")
    _analyze(owner_url, [t for t in (*CONTROL_TABLES, *report.rows) if report.rows.get(t)])
    report.seconds = time.monotonic() - started
    progress.done(f"[generate {scale.name}] {report.total_rows:,} rows in {report.seconds:.1f} s "
                  f"({report.total_rows / max(report.seconds, 1e-6):,.0f} rows/s)"
                  + "".join(f"; skipped {t}: {why}" for t, why in report.skipped.items()))
    return report


def _set_up_workspaces(app: Flask, plans: list[WorkspacePlan], progress: Progress, scale: Scale) -> None:
    """Run the app's workspace set-up for each workspace, as saas.tenants.workspaces.create_workspace does."""
    from saas.extensions import db
    from saas.plugins import hooks
    from saas.tenants.context import tenant_context
    from saas.tenants.models import Workspace

    ids = [plan.tenant_id for plan in plans]
    ids.sort()
    with app.app_context():
        for n, tenant_id in enumerate(ids, start=1):
            workspace = db.session.get(Workspace, tenant_id)
            with tenant_context(tenant_id):
                hooks().workspace_created(workspace=workspace)
                db.session.commit()
            progress.update(f"[generate {scale.name}] set up workspace {n}/{len(ids)} through the app's hooks")
        db.session.remove()


def _max_id(conn: psycopg.Connection, table: str) -> int:
    return conn.execute(f'select coalesce(max(id), 0) from "{table}"').fetchone()[0]


def _plans(sizes: list[int], seed: int, ids: Ids) -> list[WorkspacePlan]:
    plans = []
    for index, size in enumerate(sizes):
        members = [ids.next("users") for _ in range(members_for(size))]
        plans.append(WorkspacePlan(index=index, tenant_id=ids.next("workspaces"), slug=slug(index),
                                   name=f"Bench {index:04d}", size=size, member_ids=members,
                                   rng=seeded(seed, "workspace", index), ids=ids))
    return plans


def _workspace_rows(plans: list[WorkspacePlan], fp: str):
    for plan in plans:
        name = f"{plan.name} | {fp}" if plan.index == 0 else plan.name
        yield {"id": plan.tenant_id, "slug": plan.slug, "name": name, "plan": "free",
               "created_at": ANCHOR - timedelta(days=1000 - plan.index % 900)}


def _user_rows(plans: list[WorkspacePlan], password_hash: str):
    for plan in plans:
        for n, user_id in enumerate(plan.member_ids):
            email = LOAD_USER_EMAIL if (plan.index, n) == (0, 0) else f"u{plan.index}-{n}@{BENCH_EMAIL_DOMAIN}"
            yield {"id": user_id, "email": email, "name": f"Bench user {plan.index}-{n}",
                   "password_hash": password_hash, "locale": None, "created_at": ANCHOR - timedelta(days=1000)}


def _membership_rows(plans: list[WorkspacePlan], ids: Ids):
    for plan in plans:
        for n, user_id in enumerate(plan.member_ids):
            role = "owner" if n == 0 else ("admin" if n < 3 else "member")
            yield {"id": ids.next("memberships"), "tenant_id": plan.tenant_id, "user_id": user_id, "role": role,
                   "created_at": ANCHOR - timedelta(days=900)}
    # The load user also belongs to a few other workspaces, as consultants and agencies do.
    load_user = plans[0].member_ids[0]
    for plan in plans[1:5]:
        yield {"id": ids.next("memberships"), "tenant_id": plan.tenant_id, "user_id": load_user, "role": "member",
               "created_at": ANCHOR - timedelta(days=800)}


def _move_sequences(conn: psycopg.Connection, used: dict[str, int]) -> None:
    for table, last in used.items():
        seq = conn.execute("select pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()[0]
        if seq:
            conn.execute("select setval(%s, greatest(%s, (select coalesce(max(id), 1) from " + f'"{table}"' + ")))",
                         (seq, last))
    conn.commit()


def _analyze(owner_url: str, tables: list[str]) -> None:
    # VACUUM sets the visibility map (index-only scans) and ANALYZE the planner's statistics.
    with psycopg.connect(owner_url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f'VACUUM (ANALYZE) "{table}"')
