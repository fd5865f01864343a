"""Deal services: the kanban board, moving a deal between stages (with the lost reason), its
contacts, and the events the sales module publishes (deal.won, deal.lost)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from saas.plugin_api import (InputError, _, create_record, db, get_record, pipelines, publish_record_event,
                             update_record)
from saas.modules.sales.models import OUTCOME_LOST, OUTCOME_WON, Deal, DealContact, Lead

BOARD_CARDS_PER_STAGE = 200
REASON_MAX = 2000


@dataclass
class Column:
    """One stage of the board with its deals (newest close date last) and totals."""

    stage: pipelines.Stage
    deals: list[Deal] = field(default_factory=list)
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)      # by currency

    @property
    def weighted(self) -> dict[str, Decimal]:
        return {c: (amount * self.stage.probability / 100).quantize(Decimal("0.01")) for c, amount in self.totals.items()}


def board(pipeline: pipelines.Pipeline, owner_id: int | None = None) -> list[Column]:
    """The pipeline's stages as board columns with their deals (at most BOARD_CARDS_PER_STAGE each)."""
    columns = {stage.id: Column(stage) for stage in pipeline.stages}
    filters = [Deal.pipeline_id == pipeline.id]
    if owner_id:
        filters.append(Deal.owner_id == owner_id)
    for stage_id, currency, count, total in db.session.execute(
            select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.amount)).where(*filters)
            .group_by(Deal.stage_id, Deal.currency)):
        if stage_id in columns:
            columns[stage_id].count += count
            columns[stage_id].totals[currency] = Decimal(total or 0)
    for column in columns.values():
        column.deals = list(db.session.scalars(
            select(Deal).where(*filters, Deal.stage_id == column.stage.id)
            .order_by(Deal.expected_close_on.is_(None), Deal.expected_close_on, Deal.id)
            .limit(BOARD_CARDS_PER_STAGE)))
    return list(columns.values())


def company_names(deals: list[Deal]) -> dict[int, str]:
    """Company names of the deals' companies, by id (one query)."""
    from saas.plugin_api import Company

    ids = {d.company_id for d in deals if d.company_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Company.id, Company.name).where(Company.id.in_(ids))).all())


def get_deal(deal_id: int) -> Deal | None:
    """The deal of the workspace in context, or None."""
    return get_record("deal", deal_id)


class ReasonNeeded(Exception):
    """Moving to a lost stage needs a reason: the page asks for one."""

    def __init__(self, deal: Deal, stage: pipelines.Stage) -> None:
        super().__init__("a lost deal needs a reason")
        self.deal, self.stage = deal, stage


def move(deal: Deal, stage_id: int, user_id: int | None, reason: str | None = None) -> Deal:
    """Move a deal to a stage (of any pipeline of the workspace), recorded in its history.
    A lost stage needs a reason (ReasonNeeded when none is given)."""
    stage = pipelines.get_stage(stage_id) if stage_id else None
    if stage is None or stage.pipeline.object_key != "deal":
        raise InputError({"stage_id": _("Choose a stage of one of your pipelines.")}, status=404)
    if stage.id == deal.stage_id:
        return deal
    data: dict = {"stage": stage.id}
    if stage.outcome == OUTCOME_LOST:
        reason = (reason or "").strip()
        if not reason:
            raise ReasonNeeded(deal, stage)
        if len(reason) > REASON_MAX:
            raise InputError({"reason": _("Keep the reason under %(num)d characters.", num=REASON_MAX)})
        data["lost_reason"] = reason
    update_record("deal", deal, data, user_id=user_id)
    return deal


def create_deal(data: dict, user_id: int | None, contact_ids: list[int] = ()) -> Deal:
    """A new deal from `{field key: value}` (standard and custom), with its contacts."""
    deal = create_record("deal", data, user_id=user_id)
    for contact_id in contact_ids:
        add_contact(deal, contact_id)
    return deal


def contacts_of(deal: Deal) -> list:
    """The deal's contacts, by name."""
    from saas.plugin_api import Contact

    return list(db.session.scalars(select(Contact).join(DealContact, (DealContact.contact_id == Contact.id)
                                                        & (DealContact.tenant_id == Contact.tenant_id))
                                   .where(DealContact.deal_id == deal.id).order_by(Contact.name)))


def add_contact(deal: Deal, contact_id: int) -> None:
    """Involve a contact of the workspace in a deal (twice is once)."""
    if get_record("contact", contact_id) is None:
        raise InputError({"contact_id": _("There is no such contact.")})
    exists = db.session.scalar(select(DealContact.id).where(DealContact.deal_id == deal.id,
                                                            DealContact.contact_id == contact_id))
    if not exists:
        db.session.add(DealContact(deal_id=deal.id, contact_id=contact_id))
        db.session.flush()


def remove_contact(deal: Deal, contact_id: int) -> None:
    db.session.execute(delete(DealContact).where(DealContact.deal_id == deal.id, DealContact.contact_id == contact_id))
    db.session.flush()


def closing_event(before: dict | None, after: dict | None) -> str | None:
    """"won" or "lost" when an update moved a deal into a stage with that outcome, else None."""
    if not before or not after or before.get("stage") == after.get("stage") or not after.get("stage"):
        return None
    stage = pipelines.get_stage(after["stage"])
    if stage is None or stage.outcome not in (OUTCOME_WON, OUTCOME_LOST):
        return None
    old = pipelines.get_stage(before["stage"]) if before.get("stage") else None
    if old is not None and old.outcome == stage.outcome:
        return None
    return stage.outcome


def on_record_changed(object_key: str, record_id: int, change: str, before: dict | None, after: dict | None) -> None:
    """The sales module's part of the record_changed hook: publish deal.won / deal.lost, and let go
    of companies and contacts that are being deleted."""
    if object_key == "deal" and change == "updated":
        outcome = closing_event(before, after)
        if outcome:
            publish_record_event("deal", record_id, outcome, before, after)
    elif object_key == "company" and change == "deleted":
        # The record services delete the company right after this hook: its deals and leads stay.
        db.session.execute(update(Deal).where(Deal.company_id == record_id).values(company_id=None))
        db.session.execute(update(Lead).where(Lead.converted_company_id == record_id)
                           .values(converted_company_id=None))
    elif object_key == "contact" and change == "deleted":
        db.session.execute(update(Lead).where(Lead.converted_contact_id == record_id)
                           .values(converted_contact_id=None))
    elif object_key == "deal" and change == "deleted":
        db.session.execute(update(Lead).where(Lead.converted_deal_id == record_id).values(converted_deal_id=None))
