"""Assigning stages: one SQL statement decides every customer's stage by rule priority.

    target = CASE WHEN <rule 1 holds> THEN <its stage> WHEN <rule 2 holds> ... ELSE <current stage> END

Order and activity figures come from one grouped CTE per table. The full re-evaluation records the
moves and applies them in one statement on PostgreSQL (an INSERT ... RETURNING inside the UPDATE's
WITH), in an INSERT ... SELECT and an UPDATE ... FROM on SQLite; the event path runs the same SELECT
for one customer. A customer no rule matches keeps their stage (or gets the first one),
and the target depends only on the customer's data, never on their current stage, so a second pass
changes nothing: rules cannot bounce a customer back and forth.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable

import orjson
from sqlalchemy import (Date, DateTime, Integer, Numeric, String, and_, case, cast, func, insert, literal, null, or_,
                        select, text, update)
from sqlalchemy.sql import column as column_
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import ColumnClause

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.bulk import any_of
from saas.modules.core.models import Activity, Contact, Order
from saas.modules.lifecycle.conditions import NOT_COUNTED_STATUSES, Context, condition_sql, condition_types
from saas.modules.lifecycle.models import LifecycleMove, LifecycleRule
from saas.tenants.context import current_tenant_id


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Plan:
    """The rules of the workspace compiled to SQL: the statement and what it needs."""

    statement: object            # select(contact_id, from_stage, to_stage, rule_id, rule_name, source)
    rules: list[LifecycleRule]


def active_rules() -> list[LifecycleRule]:
    """The enabled rules whose stage still exists, by priority."""
    return list(db.session.scalars(select(LifecycleRule).where(LifecycleRule.enabled.is_(True))
                                   .order_by(LifecycleRule.position, LifecycleRule.id)))


def _rule_sql(ctx: Context, rule: LifecycleRule, types: dict):
    parts = [condition_sql(ctx, c, types) for c in rule.conditions or []]
    if not parts:
        return literal(False)
    return and_(*parts) if rule.match != "any" else or_(*parts)


def _aggregate_ctes(ctx: Context, tenant_id: int, contact_ids: list[int] | None):
    """One grouped CTE per source table with every aggregate the rules asked for."""
    ctes = {}
    sources = {"orders": (Order.__table__, "ordered_on", "amount"), "activities": (Activity.__table__, "occurred_at", None)}
    for source, (table, moment_col, amount_col) in sources.items():
        wanted = [a for a in ctx.wanted.values() if a.source == source]
        if not wanted:
            continue
        moment = table.c[moment_col]
        columns = []
        for a in wanted:
            within = moment >= a.since if a.since is not None else None
            if a.fn == "count":
                expr = func.count() if within is None else func.sum(case((within, 1), else_=0))
            elif a.fn == "sum":
                value = table.c[amount_col]
                expr = func.sum(value if within is None else case((within, value), else_=0))
            elif a.fn == "last":
                expr = func.max(moment)
            else:
                expr = func.min(moment)
            columns.append(expr.label(a.name))
        statement = select(table.c.contact_id.label("contact_id"), *columns).where(
            table.c.tenant_id == tenant_id, table.c.contact_id.is_not(None))
        if source == "orders":
            statement = statement.where(table.c.status.not_in(NOT_COUNTED_STATUSES))
        if contact_ids is not None:
            statement = statement.where(any_of(table.c.contact_id, contact_ids))
        # Nested: the WITH goes inside the SELECT, so the statement still starts with INSERT (SQLite's
        # driver opens its transaction only before a statement that starts with INSERT/UPDATE/DELETE).
        ctes[source] = statement.group_by(table.c.contact_id).cte(f"lc_{source}", nesting=True)
    return ctes


def plan(contact_ids: Iterable[int] | None = None, today: date | None = None) -> Plan | None:
    """The statement giving each customer (all, or `contact_ids`) their stage now; None without stages."""
    rules = _Rules.of_workspace(today)
    if rules is None:
        return None
    tenant_id = current_tenant_id()
    ids = None if contact_ids is None else sorted(set(contact_ids))
    c = Contact.__table__
    # First pass collects the aggregates the rules use; the second builds the SQL on their CTEs.
    ctes = _aggregate_ctes(rules.collect(c), tenant_id, ids)
    columns = {}
    source_from = c
    for source, cte in ctes.items():
        source_from = source_from.outerjoin(cte, cte.c.contact_id == c.c.id)
        columns.update({name: cte.c[name] for name in cte.c.keys() if name != "contact_id"})
    where = [c.c.tenant_id == tenant_id]
    if ids is not None:
        where.append(any_of(c.c.id, ids))
    return rules.plan(c, source_from, columns, where)


def plan_new(rows: list[dict], today: date | None = None) -> Plan | None:
    """plan() for contacts not written yet (PostgreSQL): `rows` are their columns (with their ids),
    read through jsonb_populate_recordset as if they were rows of the contacts table. A new contact
    has no orders or activities, so every aggregate is what a customer without rows gets (NULL).
    Only the columns the statement reads are sent: parsing whole rows as JSON cost more than the
    decision itself."""
    rules = _Rules.of_workspace(today)
    if rules is None or not rows:
        return None
    c = Contact.__table__
    source = text(f"SELECT * FROM jsonb_populate_recordset(NULL::{c.name}, CAST(:rows AS jsonb))") \
        .columns(*[column_(col.name, col.type) for col in c.columns]).subquery("new_contacts")
    columns = {a.name: cast(null(), _AGG_TYPES[a.source, a.fn]) for a in rules.collect(source).wanted.values()}
    p = rules.plan(source, source, columns, [])
    read = sorted({e.name for e in visitors.iterate(p.statement)
                   if isinstance(e, ColumnClause) and e.table is source})
    sent = [{name: row.get(name) for name in read} for row in rows]
    return Plan(p.statement.params(rows=orjson.dumps(sent, default=str).decode()), p.rules)


_AGG_TYPES = {(source, fn): kind for source, moment in (("orders", Date()), ("activities", DateTime(timezone=True)))
              for fn, kind in (("count", Integer()), ("sum", Numeric()), ("last", moment), ("first", moment))}


@dataclass
class _Rules:
    """The workspace's stages and enabled rules, ready to be compiled over some source of contacts."""

    stages: list
    rules: list[LifecycleRule]
    types: dict
    today: date
    pg: bool

    @classmethod
    def of_workspace(cls, today: date | None) -> "_Rules | None":
        stages = definitions.stages()
        if not stages:
            return None
        stage_ids = {s.id for s in stages}
        return cls(stages, [r for r in active_rules() if r.stage_id in stage_ids], condition_types(),
                   today or utcnow().date(), db.session.get_bind().dialect.name == "postgresql")

    def collect(self, contact) -> Context:
        """A context that has seen every rule: its `wanted` holds the aggregates they use."""
        collecting = Context(contact, self.today, self.pg)
        for rule in self.rules:
            _rule_sql(collecting, rule, self.types)
        return collecting

    def plan(self, contact, source_from, columns: dict, where: list) -> Plan:
        """The moves for the contacts of `source_from` (rows of `contact`, the aggregates in `columns`)."""
        keys = [s.key for s in self.stages]
        by_id = {s.id: s for s in self.stages}
        rules = self.rules
        ctx = Context(contact, self.today, self.pg, columns=columns)
        whens = [(_rule_sql(ctx, rule, self.types), rule.id) for rule in rules]
        # Typed: without rules a bare NULL would be text to PostgreSQL, and the history's rule_id is an integer.
        matched = case(*whens, else_=null()) if whens else cast(null(), Integer)
        assigned = select(contact.c.id.label("contact_id"), contact.c.lifecycle_stage.label("current"),
                          matched.label("rule_id")).select_from(source_from).where(*where)
        # OFFSET 0 keeps the planner from pulling the subquery up, which copied the rules' CASE into
        # every use of rule_id below: decided once per customer, 10 % of the pass at 1,000,000.
        a = assigned.offset(0).subquery("lc_assigned")
        keep = case((a.c.current.in_(keys), a.c.current), else_=keys[0])
        to_stage = case(*[(a.c.rule_id == r.id, by_id[r.stage_id].key) for r in rules], else_=keep) if rules else keep
        rule_name = case(*[(a.c.rule_id == r.id, r.name) for r in rules], else_=null()) if rules else \
            cast(null(), String)
        source = case((a.c.rule_id.is_not(None), "rule"), else_="start")
        targets = select(a.c.contact_id, a.c.current.label("from_stage"), to_stage.label("to_stage"),
                         a.c.rule_id, rule_name.label("rule_name"), source.label("source")).subquery("lc_targets")
        statement = select(targets).where(targets.c.to_stage.is_distinct_from(targets.c.from_stage))
        return Plan(statement, rules)


# The full pass aggregates every order of the workspace in one statement: its hash tables should
# stay in memory (about 0.6 kB per customer), and JIT compiling its long CASE costs more than it
# saves in a statement planned once (EXPLAIN ANALYZE at 1,000,000 customers: 1.7 s of a 6.2 s pass).
PASS_SETTINGS = {"work_mem": "256MB", "jit": "off"}


def evaluate_all(evaluation_id: int, today: date | None = None) -> int:
    """Move every customer whose stage differs from what the rules say, recording each move in the
    history with the run's id. Returns how many moved.

    On PostgreSQL this is one statement (WITH changes, INSERT ... RETURNING, UPDATE ... FROM it):
    the rules are decided once, on one snapshot, and the UPDATE applies exactly the moves recorded.
    SQLite has no INSERT inside WITH: there it is the INSERT ... SELECT, then the UPDATE ... FROM
    the history rows of the run."""
    tenant_id = current_tenant_id()
    p = plan(today=today)
    if p is None:
        return 0
    moves, c = LifecycleMove.__table__, Contact.__table__
    pg = db.session.get_bind().dialect.name == "postgresql"
    columns = ["tenant_id", "contact_id", "from_stage", "to_stage", "source", "rule_id", "rule_name",
               "evaluation_id", "moved_at"]
    now = literal(utcnow(), moves.c.moved_at.type)

    def record(changes):
        return insert(moves).from_select(columns, select(
            literal(tenant_id), changes.c.contact_id, changes.c.from_stage, changes.c.to_stage, changes.c.source,
            changes.c.rule_id, changes.c.rule_name, literal(evaluation_id), now))

    if pg:
        for name, value in PASS_SETTINGS.items():
            db.session.execute(select(func.set_config(name, value, True)))
        recorded = record(p.statement.cte("lc_changes")).returning(moves.c.contact_id, moves.c.to_stage) \
            .cte("lc_recorded")
        apply = update(c).values(lifecycle_stage=recorded.c.to_stage, updated_at=now).where(
            c.c.tenant_id == tenant_id, c.c.id == recorded.c.contact_id)
    else:
        db.session.execute(record(p.statement.subquery("lc_changes")))
        apply = update(c).values(lifecycle_stage=moves.c.to_stage, updated_at=now).where(
            moves.c.tenant_id == tenant_id, moves.c.evaluation_id == evaluation_id,
            moves.c.contact_id == c.c.id, c.c.tenant_id == tenant_id)
    return db.session.execute(apply).rowcount or 0


def evaluate_contacts(contact_ids: Iterable[int], today: date | None = None) -> list[LifecycleMove]:
    """Re-evaluate a few customers now (an order placed, a deal won): the same SELECT as the full
    run, restricted to them; the moves are recorded and their stages' actions run."""
    from saas.modules.lifecycle import actions

    ids = [i for i in contact_ids if i is not None]
    if not ids:
        return []
    p = plan(ids, today=today)
    if p is None:
        return []
    moves = []
    for row in db.session.execute(p.statement).all():
        move = LifecycleMove(contact_id=row.contact_id, from_stage=row.from_stage, to_stage=row.to_stage,
                             source=row.source, rule_id=row.rule_id, rule_name=row.rule_name)
        db.session.add(move)
        # Through the ORM: a contact the caller holds in this session sees its new stage.
        db.session.get(Contact, row.contact_id).lifecycle_stage = row.to_stage
        moves.append(move)
    db.session.flush()
    actions.run_for_moves(moves)
    return moves
