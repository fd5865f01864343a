"""The history of moves: manual moves, moves made by the stage settings, a customer's path."""
from __future__ import annotations

from sqlalchemy import DateTime, Integer, and_, case, func, insert, literal, select, update

from flask_babel import gettext as _

from saas.errors import InputError
from saas.extensions import db
from saas.metadata import lifecycle as definitions
from saas.modules.core.models import Contact
from saas.modules.lifecycle.models import LifecycleMove
from saas.plugin_api import publish_record_event
from saas.tenants.context import current_tenant_id
from saas.tenants.models import utcnow


def get_contact(contact_id: int) -> Contact | None:
    """The contact of the workspace in context, or None."""
    return db.session.scalar(select(Contact).where(Contact.id == contact_id))


def move_contact(contact: Contact, stage_key: str, user_id: int | None, source: str = "manual") -> LifecycleMove | None:
    """Move one customer by hand; recorded with the user, and the stages' actions run. None when
    the customer is in that stage already."""
    from saas.modules.lifecycle import actions

    if stage_key not in definitions.stage_map():
        raise InputError({"stage": _("Choose one of the stages.")})
    if contact.lifecycle_stage == stage_key:
        return None
    move = LifecycleMove(contact_id=contact.id, from_stage=contact.lifecycle_stage, to_stage=stage_key,
                         source=source, user_id=user_id)
    contact.lifecycle_stage = stage_key
    db.session.add(move)
    db.session.flush()
    actions.run_for_moves([move])
    # Written beside the record services (they would re-decide the stage by the rules at once): tell
    # the other modules, as the services would (report widgets drop their cached figures on commit).
    publish_record_event("contact", contact.id, "stage_changed",
                         {"id": contact.id, "lifecycle_stage": move.from_stage},
                         {"id": contact.id, "lifecycle_stage": stage_key})
    return move


def record_edit(contact_id: int, before: str | None, after: str | None, user_id: int | None) -> None:
    """A stage changed through the record form or the API: keep it in the history too."""
    if after is None or before == after:
        return
    db.session.add(LifecycleMove(contact_id=contact_id, from_stage=before, to_stage=after, source="record",
                                 user_id=user_id))
    db.session.flush()


def remap(mapping: dict[str, str], source: str, user_id: int | None) -> int:
    """Move the customers of several stages at once (`{from key: to key}`), set-based, with history:
    one CASE, so a chain a → b, b → c moves each customer one step only."""
    mapping = {old: new for old, new in mapping.items() if old != new}
    if not mapping:
        return 0
    tenant_id = current_tenant_id()
    c, m = Contact.__table__, LifecycleMove.__table__
    target = case(*[(c.c.lifecycle_stage == old, new) for old, new in mapping.items()])
    chosen = and_(c.c.tenant_id == tenant_id, c.c.lifecycle_stage.in_(list(mapping)))
    db.session.execute(insert(m).from_select(
        ["tenant_id", "contact_id", "from_stage", "to_stage", "source", "user_id", "moved_at"],
        select(literal(tenant_id), c.c.id, c.c.lifecycle_stage, target, literal(source), literal(user_id, Integer),
               literal(utcnow(), DateTime(timezone=True))).where(chosen)))
    result = db.session.execute(update(c).where(chosen).values(lifecycle_stage=target))
    db.session.expire_all()
    return result.rowcount or 0


def path_of(contact_id: int, limit: int = 200) -> list[LifecycleMove]:
    """A customer's moves, oldest first: their path through the lifecycle."""
    rows = list(db.session.scalars(select(LifecycleMove).where(LifecycleMove.contact_id == contact_id)
                                   .order_by(LifecycleMove.moved_at.desc(), LifecycleMove.id.desc()).limit(limit)))
    return rows[::-1]


def recent_moves(limit: int = 30) -> list[tuple[LifecycleMove, str]]:
    """The workspace's latest moves with the customer's name, newest first."""
    rows = db.session.execute(select(LifecycleMove, Contact.name).join(
        Contact, (Contact.id == LifecycleMove.contact_id) & (Contact.tenant_id == LifecycleMove.tenant_id))
        .order_by(LifecycleMove.moved_at.desc(), LifecycleMove.id.desc()).limit(limit))
    return [(row[0], row[1]) for row in rows]


def counts_by_stage() -> dict[str | None, int]:
    """How many customers sit in each stage (key; None for none)."""
    rows = db.session.execute(select(Contact.lifecycle_stage, func.count()).group_by(Contact.lifecycle_stage))
    return {stage: n for stage, n in rows}
