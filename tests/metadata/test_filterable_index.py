"""On PostgreSQL a filterable custom field gets an expression index (built concurrently by a job,
as the owner role), and the list query of the query builder uses it."""
from __future__ import annotations

import pytest
from sqlalchemy import insert, text, tuple_

from saas.extensions import db
from saas.metadata import changes, definitions
from saas.metadata.query import Filter, build_query, page
from saas.modules.core.models import Contact
from saas.tenants.context import tenant_context
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="expression indexes are built on PostgreSQL only")


def _explain(statement) -> str:
    sql = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    return "\n".join(db.session.execute(text(f"EXPLAIN {sql}")).scalars())


def test_a_filterable_field_is_indexed_and_the_list_uses_the_index(app, two_workspaces):
    a, b = two_workspaces
    with tenant_context(b.id):   # the same key with another type in another workspace
        definitions.add_field("contact", labels={"en": "Score"}, key="score", type="text")
        db.session.execute(insert(Contact), [{"tenant_id": b.id, "name": f"B{i}", "tags": [], "custom": {"score": "n/a"}}
                                             for i in range(200)])
        db.session.commit()
    with tenant_context(a.id):
        row = definitions.add_field("contact", labels={"en": "Score"}, key="score", type="number")
        db.session.execute(insert(Contact), [{"tenant_id": a.id, "name": f"P{i}", "tags": [],
                                              "custom": {"score": i % 500}} for i in range(5000)])
        definitions.update_field(row, filterable=True)
        changes.request_index(row)
        assert row.index_state == "building"
        db.session.commit()
        field_id = row.id
        # With Redis the job waits for a worker; run it here (it is idempotent).
        assert changes.build_field_index(field_id) == "ready"
        assert definitions.field_map("contact")["score"].index_state == "ready"
        # ... with statistics on its expression, so the planner knows how many rows a range holds.
        statistics = f"st_cf_contacts_{field_id}"
        assert db.session.scalar(text("select count(*) from pg_statistic_ext where stxname = :n"), {"n": statistics}) == 1

        q = build_query("contact", [Filter("score", "between", ["100", "102"])], sort="score", fields=["name", "score"])
        # The list sorted by the field reads the index in order (50 rows, no sort of the workspace).
        listed = build_query("contact", [], sort="score", fields=["name", "score"])
        plan = _explain(listed.statement.where(listed.sort_expr.is_not(None))
                        .order_by(listed.sort_expr, Contact.id).limit(50))
        assert f"ix_cf_contacts_{field_id}" in plan and "Sort Key" not in plan, plan
        # The range and a deep page's keyset condition are index conditions, even under forced
        # row-level security (the app role): the field functions are LEAKPROOF.
        ranged = _explain(q.statement.where(q.sort_expr.is_not(None)).order_by(q.sort_expr, Contact.id).limit(50))
        assert f"ix_cf_contacts_{field_id}" in ranged and "Index Cond: ((orchard_field_number" in ranged, ranged
        keyset = _explain(listed.statement.where(tuple_(listed.sort_expr, Contact.id) > tuple_(250.0, 10))
                          .order_by(listed.sort_expr, Contact.id).limit(50))
        assert "Index Cond: (ROW(orchard_field_number" in keyset, keyset
        assert [r["score"] for r in page(listed, limit=3).rows] == [0, 0, 0]
        result = page(q, limit=50)
        assert len(result.rows) == 30 and all(100 <= r["score"] <= 102 for r in result.rows)
        deep = page(q, limit=10, cursor=result.next_cursor) if result.next_cursor else None
        assert deep is None

        # removing the field purges its values and drops the index
        changes.remove_field(definitions.get_field_row(field_id))
        db.session.commit()
        changes.purge_field_values(field_id)
        assert db.session.scalar(text("select count(*) from pg_indexes where indexname = :n"),
                                 {"n": f"ix_cf_contacts_{field_id}"}) == 0
        assert db.session.scalar(text("select count(*) from pg_statistic_ext where stxname = :n"), {"n": statistics}) == 0
        assert db.session.scalar(text("select count(*) from contacts where custom ? 'score'")) == 0


def test_the_field_functions_never_raise_and_are_leakproof(app):
    """A stored value of any shape reads as NULL rather than an error: an error could reveal a row
    that row-level security hides, which is what LEAKPROOF promises PostgreSQL."""
    cases = {'{"v": 12.5}': 12.5, '{"v": "12"}': None, '{"v": [1]}': None, '{"v": {"a": 1}}': None,
             '{"v": null}': None, '{"v": 1e400}': None, '{"v": 1e-400}': None, '{"v": 0}': 0.0, '[1, 2]': None,
             '"text"': None, '{}': None}
    for doc, expected in cases.items():
        got = db.session.scalar(text("select orchard_field_number(cast(:doc as jsonb), 'v')"), {"doc": doc})
        assert got == expected, doc
    assert db.session.scalar(text("""select orchard_field_text('{"v": "Zoë"}'::jsonb, 'v')""")) == "Zoë"
    assert db.session.scalar(text("select orchard_field_text('[1]'::jsonb, 'v')")) is None
    superuser = db.session.scalar(text(
        "select rolsuper from pg_roles where rolname = (select proowner::regrole::text from pg_proc "
        "where proname = 'orchard_field_text')"))
    leakproof = set(db.session.scalars(text(
        "select proname from pg_proc where proname like 'orchard_field_%' and proleakproof")))
    assert leakproof == ({"orchard_field_text", "orchard_field_number"} if superuser else set())
