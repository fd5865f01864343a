"""The sales module's tables: deals (with their contacts and tasks), leads, lead assignment rules
and monthly targets. Pipelines and stages belong to the metadata layer (saas.metadata.pipelines).

Every reference between workspace tables is a composite (tenant_id, id) foreign key, so a deal can
only point at a company, contact, stage or task of its own workspace.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint, event)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from saas.plugin_api import JSONDocument, TenantScoped, db, pipelines, tenant_fk, tenant_table_args

OUTCOME_OPEN, OUTCOME_WON, OUTCOME_LOST = "open", "won", "lost"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Deal(TenantScoped, db.Model):
    """A sales opportunity moving through the stages of one pipeline."""

    __tablename__ = "deals"
    __table_args__ = tenant_table_args(
        tenant_fk("pipeline_id", "pipelines"),
        tenant_fk("stage_id", "pipeline_stages"),
        tenant_fk("company_id", "companies"),
        Index("ix_deals_tenant_stage", "tenant_id", "stage_id", "id"),
        Index("ix_deals_tenant_pipeline_close", "tenant_id", "pipeline_id", "expected_close_on"),
        Index("ix_deals_tenant_company", "tenant_id", "company_id"),
        Index("ix_deals_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_deals_tenant_name", "tenant_id", "name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    expected_close_on: Mapped[date | None] = mapped_column(Date)
    pipeline_id: Mapped[int] = mapped_column(Integer)
    stage_id: Mapped[int] = mapped_column(Integer)
    company_id: Mapped[int | None] = mapped_column(Integer)
    # Users are global (one account, many workspaces): a plain foreign key.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lost_reason: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)         # set when the deal reaches a won or lost stage
    custom: Mapped[dict] = mapped_column(JSONDocument, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    stage: Mapped[pipelines.Stage] = relationship(
        primaryjoin="and_(Deal.stage_id == Stage.id, Deal.tenant_id == Stage.tenant_id)",
        foreign_keys=[stage_id], viewonly=True)
    pipeline: Mapped[pipelines.Pipeline] = relationship(
        primaryjoin="and_(Deal.pipeline_id == Pipeline.id, Deal.tenant_id == Pipeline.tenant_id)",
        foreign_keys=[pipeline_id], viewonly=True)

    def __str__(self) -> str:
        return self.name


class DealContact(TenantScoped, db.Model):
    """A contact involved in a deal (buyer, decision maker ...)."""

    __tablename__ = "deal_contacts"
    __table_args__ = tenant_table_args(
        tenant_fk("deal_id", "deals", ondelete="CASCADE"),
        tenant_fk("contact_id", "contacts", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "deal_id", "contact_id"),
        Index("ix_deal_contacts_tenant_contact", "tenant_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[int] = mapped_column(Integer)


class DealTask(TenantScoped, db.Model):
    """Links a task (a core activity of kind "task") to a deal, and remembers its reminder."""

    __tablename__ = "deal_tasks"
    __table_args__ = tenant_table_args(
        tenant_fk("deal_id", "deals", ondelete="CASCADE"),
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "activity_id"),
        Index("ix_deal_tasks_tenant_deal", "tenant_id", "deal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(Integer)
    activity_id: Mapped[int] = mapped_column(Integer)
    reminded_on: Mapped[date | None] = mapped_column(Date)       # the day its reminder went out


LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "disqualified")
LEAD_SOURCES = ("website", "referral", "event", "advertising", "cold_call", "other")


class Lead(TenantScoped, db.Model):
    """Someone who may buy, before they are a contact with a deal."""

    __tablename__ = "leads"
    __table_args__ = tenant_table_args(
        tenant_fk("converted_contact_id", "contacts"),
        tenant_fk("converted_company_id", "companies"),
        tenant_fk("converted_deal_id", "deals"),
        tenant_fk("assignment_rule_id", "lead_assignment_rules"),
        Index("ix_leads_tenant_status", "tenant_id", "status", "id"),
        Index("ix_leads_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_leads_tenant_email", "tenant_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    company_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="new")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assignment_rule_id: Mapped[int | None] = mapped_column(Integer)   # the rule that chose the owner
    converted_contact_id: Mapped[int | None] = mapped_column(Integer)
    converted_company_id: Mapped[int | None] = mapped_column(Integer)
    converted_deal_id: Mapped[int | None] = mapped_column(Integer)
    converted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    custom: Mapped[dict] = mapped_column(JSONDocument, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name


RULE_KINDS = ("round_robin", "field")


class AssignmentRule(TenantScoped, db.Model):
    """How new leads get an owner: in turn among chosen members, or by a field's value."""

    __tablename__ = "lead_assignment_rules"
    __table_args__ = tenant_table_args(Index("ix_lead_assignment_rules_tenant_position", "tenant_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    user_ids: Mapped[list] = mapped_column(JSON, default=list)     # round robin: the members, in turn
    next_index: Mapped[int] = mapped_column(Integer, default=0)     # round robin: whose turn it is
    field_key: Mapped[str | None] = mapped_column(String(63))       # by field: the lead field looked at
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)       # by field: {value: user id}
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SalesTarget(TenantScoped, db.Model):
    """The amount a workspace means to win in one month, in one currency."""

    __tablename__ = "sales_targets"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id", "month", "currency"))

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)                       # the first day of the month
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))


@event.listens_for(Session, "before_flush")
def _keep_deals_in_their_pipeline(session, flush_context, instances) -> None:
    """Whoever writes a deal (pages, API, import), its pipeline follows its stage, a deal without a
    stage starts in the default pipeline, and reaching a won or lost stage dates its closing."""
    for deal in list(session.new) + list(session.dirty):
        if not isinstance(deal, Deal):
            continue
        with session.no_autoflush:
            stage = pipelines.get_stage(deal.stage_id) if deal.stage_id else None
            if stage is None:
                pipeline = pipelines.default_pipeline("deal")
                stage = pipelines.first_stage(pipeline) if pipeline else None
                if stage is None:
                    continue  # no pipeline at all: the NOT NULL column refuses the row
                deal.stage_id = stage.id
            deal.pipeline_id = stage.pipeline_id
            if stage.outcome == OUTCOME_OPEN:
                deal.closed_on = None
                deal.lost_reason = None
            elif deal.closed_on is None:
                deal.closed_on = date.today()
