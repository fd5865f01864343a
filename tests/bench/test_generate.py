"""The benchmark data generators: shape and reproducibility in Python, and a tiny dataset written
with COPY into the test database (PostgreSQL only)."""
from __future__ import annotations

import statistics

import pytest

from bench.generate.plan import Ids, WorkspacePlan, seeded
from bench.generate.tables import WORKSPACE_TABLES
from bench.scales import SCALES
from tests.conftest import ON_POSTGRES

COPY_ONLY = pytest.mark.skipif(not ON_POSTGRES, reason="the generators write with COPY, which is PostgreSQL-only")


def _rows(seed: int, size: int = 60) -> dict[str, list[dict]]:
    plan = WorkspacePlan(index=0, tenant_id=1, slug="bench-0000", name="Bench", size=size, member_ids=[1, 2, 3],
                         rng=seeded(seed, "workspace", 0), ids=Ids({}))
    return {g.table: list(g.rows(plan)) for g in WORKSPACE_TABLES}


def test_workspace_sizes_are_a_few_large_and_many_small():
    sizes = SCALES["small"].workspace_sizes()
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == SCALES["small"].largest
    assert sum(sizes[:3]) > sum(sizes[3:])           # the three largest hold most contacts
    assert statistics.median(sizes) < sizes[0] / 50


def test_same_seed_same_rows_other_seed_other_rows():
    first, again, other = _rows(7), _rows(7), _rows(8)
    assert first == again
    assert first["contacts"] != other["contacts"]


def test_orders_per_customer_are_skewed_and_reference_the_workspace_contacts():
    rows = _rows(3, size=2000)
    contact_ids = {c["id"] for c in rows["contacts"]}
    per_contact: dict[int, int] = {}
    for order in rows["orders"]:
        assert order["contact_id"] in contact_ids
        per_contact[order["contact_id"]] = per_contact.get(order["contact_id"], 0) + 1
    counts = sorted([per_contact.get(i, 0) for i in contact_ids])
    assert counts[len(counts) // 2] <= 2 < counts[-1] // 5    # median small, the top customer far above


def test_custom_values_cover_several_types():
    contacts = _rows(5)["contacts"]
    values = [v for c in contacts for v in c["custom"].values()]
    kinds = {type(v).__name__ for v in values}
    assert {"str", "float", "int", "bool", "list"} <= kinds


@COPY_ONLY
def test_generate_writes_a_consistent_tiny_dataset(app, database):
    import psycopg
    from sqlalchemy import func, select

    from bench.database import resolve_urls
    from bench.generate import existing_fingerprint, fingerprint, generate
    from bench.generate.checks import broken_references
    from bench.progress import Progress
    from saas.extensions import db
    from saas.metadata.models import FieldDefinition
    from saas.modules.core.models import Contact, Order
    from saas.tenants.context import tenant_context
    from saas.tenants.models import Workspace

    urls = resolve_urls(database["app_url"], database["owner_url"], "")
    report = generate(urls.owner_psycopg, SCALES["tiny"], seed=1, progress=Progress(quiet=True), app=app)
    assert report.rows["workspaces"] == SCALES["tiny"].workspaces
    assert report.rows["contacts"] == sum(SCALES["tiny"].workspace_sizes())
    assert report.rows["orders"] > 0 and report.rows["activities"] > 0
    with psycopg.connect(urls.owner_psycopg) as conn:
        assert existing_fingerprint(conn) == fingerprint(SCALES["tiny"], 1)
        assert broken_references(conn, list(report.rows)) == {}
    # Read back as the app role, through the ORM and RLS: every workspace sees exactly its own rows.
    workspaces = db.session.scalars(select(Workspace).order_by(Workspace.id)).all()
    seen = 0
    for workspace, size in zip(workspaces, SCALES["tiny"].workspace_sizes()):
        with tenant_context(workspace.id):
            assert db.session.scalar(select(func.count()).select_from(Contact)) == size
            assert db.session.scalar(select(func.count()).select_from(FieldDefinition)
                                     .where(FieldDefinition.key == "annual_spend")) == 1
            seen += db.session.scalar(select(func.count()).select_from(Order))
        db.session.remove()
    assert seen == report.rows["orders"]
