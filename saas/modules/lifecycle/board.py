"""The lifecycle board: customers by stage with counts and owners, and the at-risk customers with
their owner, their usual interval between orders and how far past it they are."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.metadata.lifecycle import LifecycleStage
from saas.modules.core.models import Activity, Contact, Order
from saas.modules.lifecycle.conditions import NOT_COUNTED_STATUSES
from saas.tenants.models import User

CARDS_PER_COLUMN = 30


@dataclass
class Column:
    stage: LifecycleStage
    count: int = 0
    owners: list[tuple[str, int]] = field(default_factory=list)     # (owner name, customers), most first
    cards: list[dict] = field(default_factory=list)


def _order_stats(contact_ids: list[int]) -> dict[int, dict]:
    if not contact_ids:
        return {}
    o = Order
    rows = db.session.execute(
        select(o.contact_id, func.count().label("n"), func.min(o.ordered_on).label("first"),
               func.max(o.ordered_on).label("last"), func.sum(o.amount).label("total"))
        .where(o.contact_id.in_(contact_ids), o.status.not_in(NOT_COUNTED_STATUSES)).group_by(o.contact_id))
    return {r.contact_id: {"orders": r.n, "first": r.first, "last": r.last, "total": r.total} for r in rows}


def _usual(stats: dict | None, today: date) -> dict:
    """Days since the last order, the usual interval (mean gap) and how many days past it."""
    if not stats or not stats.get("last"):
        return {"since": None, "usual": None, "overdue": None}
    since = (today - stats["last"]).days
    usual = ((stats["last"] - stats["first"]).days / (stats["orders"] - 1)) if stats["orders"] > 1 else None
    return {"since": since, "usual": round(usual) if usual else None,
            "overdue": round(since - usual) if usual is not None and since > usual else None}


def board(owner_id: int | None = None, today: date | None = None) -> list[Column]:
    """One column per stage, in order: its count, its owners and its first customers."""
    from saas.modules.lifecycle.evaluation import utcnow

    today = today or utcnow().date()
    stages = definitions.stages()
    columns = {s.key: Column(s) for s in stages}
    base = select(Contact.lifecycle_stage, func.count()).group_by(Contact.lifecycle_stage)
    if owner_id:
        base = base.where(Contact.owner_id == owner_id)
    for key, n in db.session.execute(base):
        if key in columns:
            columns[key].count = n
    owners = (select(Contact.lifecycle_stage, User.name, func.count().label("n"))
              .join(User, User.id == Contact.owner_id, isouter=True)
              .group_by(Contact.lifecycle_stage, User.name).order_by(func.count().desc()))
    if owner_id:
        owners = owners.where(Contact.owner_id == owner_id)
    for key, name, n in db.session.execute(owners):
        if key in columns:
            columns[key].owners.append((name or "", n))
    all_ids = []
    for column in columns.values():
        statement = (select(Contact.id, Contact.name, Contact.owner_id, User.name.label("owner"))
                     .join(User, User.id == Contact.owner_id, isouter=True)
                     .where(Contact.lifecycle_stage == column.stage.key)
                     .order_by(Contact.updated_at.desc(), Contact.id.desc()).limit(CARDS_PER_COLUMN))
        if owner_id:
            statement = statement.where(Contact.owner_id == owner_id)
        column.cards = [dict(id=r.id, name=r.name, owner=r.owner, owner_id=r.owner_id)
                        for r in db.session.execute(statement)]
        all_ids += [c["id"] for c in column.cards]
    stats = _order_stats(all_ids)
    for column in columns.values():
        for card in column.cards:
            card.update(_usual(stats.get(card["id"]), today))
            card["at_risk"] = column.stage.kind == "at_risk"
    return list(columns.values())


def at_risk(limit: int = 100, today: date | None = None) -> list[dict]:
    """The customers in at-risk stages, most overdue first, with their owner and open retention tasks."""
    from saas.modules.lifecycle.evaluation import utcnow

    today = today or utcnow().date()
    keys = [s.key for s in definitions.stages() if s.kind == "at_risk"]
    if not keys:
        return []
    rows = db.session.execute(
        select(Contact.id, Contact.name, Contact.lifecycle_stage, User.name.label("owner"), User.email)
        .join(User, User.id == Contact.owner_id, isouter=True)
        .where(Contact.lifecycle_stage.in_(keys)).order_by(Contact.id).limit(limit)).all()
    stats = _order_stats([r.id for r in rows])
    open_tasks = dict(db.session.execute(
        select(Activity.contact_id, func.count()).where(Activity.contact_id.in_([r.id for r in rows]),
                                                       Activity.kind == "task", Activity.done.is_(False))
        .group_by(Activity.contact_id)).all())
    out = []
    for r in rows:
        item = {"id": r.id, "name": r.name, "stage": r.lifecycle_stage, "owner": r.owner, "owner_email": r.email,
                "open_tasks": open_tasks.get(r.id, 0), **_usual(stats.get(r.id), today)}
        out.append(item)
    out.sort(key=lambda i: -(i["overdue"] or i["since"] or 0))
    return out
