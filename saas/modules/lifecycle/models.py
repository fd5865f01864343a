"""The lifecycle module's tables: rules, stage actions, the history of moves, evaluation runs and
the workspace's lifecycle settings. The stages themselves are metadata (saas.metadata.lifecycle)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.extensions import db
from saas.metadata.lifecycle import LifecycleStage
from saas.tenants.isolation import TenantScoped, tenant_fk, tenant_table_args
from saas.tenants.models import User, utcnow

MATCHES = ("all", "any")
TRIGGERS = ("enter", "leave")
ACTION_KINDS = ("task", "tag", "notify", "webhook")
SOURCES = ("rule", "manual", "start", "template", "stage_removed", "record")


class LifecycleRule(TenantScoped, db.Model):
    """Customers matching the conditions go to the stage; the first matching rule (by position) wins."""

    __tablename__ = "lifecycle_rules"
    __table_args__ = tenant_table_args(
        tenant_fk("stage_id", "lifecycle_stages", ondelete="CASCADE"),
        Index("ix_lifecycle_rules_tenant_position", "tenant_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    stage_id: Mapped[int] = mapped_column(Integer)
    match: Mapped[str] = mapped_column(String(3), default="all")
    conditions: Mapped[list] = mapped_column(JSON, default=list)   # [{"type": ..., params...}]
    position: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    stage: Mapped[LifecycleStage] = relationship(
        primaryjoin="and_(LifecycleRule.stage_id == LifecycleStage.id, "
                    "LifecycleRule.tenant_id == LifecycleStage.tenant_id)",
        foreign_keys=[stage_id], viewonly=True)


class StageAction(TenantScoped, db.Model):
    """Something done when a customer enters or leaves a stage: a task, a tag, a mail, a webhook."""

    __tablename__ = "lifecycle_actions"
    __table_args__ = tenant_table_args(
        tenant_fk("stage_id", "lifecycle_stages", ondelete="CASCADE"),
        Index("ix_lifecycle_actions_tenant_stage", "tenant_id", "stage_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(5), default="enter")
    kind: Mapped[str] = mapped_column(String(10))
    params: Mapped[dict] = mapped_column(JSON, default=dict)        # task: subject, due_days; tag: tag
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    stage: Mapped[LifecycleStage] = relationship(
        primaryjoin="and_(StageAction.stage_id == LifecycleStage.id, "
                    "StageAction.tenant_id == LifecycleStage.tenant_id)",
        foreign_keys=[stage_id], viewonly=True)


class LifecycleMove(TenantScoped, db.Model):
    """One move of one customer: when, from which stage to which, and the rule or the user behind it."""

    __tablename__ = "lifecycle_moves"
    __table_args__ = tenant_table_args(
        tenant_fk("contact_id", "contacts", ondelete="CASCADE"),
        Index("ix_lifecycle_moves_tenant_contact", "tenant_id", "contact_id", "moved_at"),
        Index("ix_lifecycle_moves_tenant_moved_at", "tenant_id", "moved_at"),
        Index("ix_lifecycle_moves_tenant_evaluation", "tenant_id", "evaluation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(Integer)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(16), default="rule")
    # Plain ids: the history outlives the rule or the run; the rule's name is kept beside it.
    rule_id: Mapped[int | None] = mapped_column(Integer)
    rule_name: Mapped[str | None] = mapped_column(String(120))
    evaluation_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()


class Evaluation(TenantScoped, db.Model):
    """A full re-evaluation of every customer (nightly or on demand), with its progress."""

    __tablename__ = "lifecycle_evaluations"
    __table_args__ = tenant_table_args(Index("ix_lifecycle_evaluations_tenant_created", "tenant_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(10), default="manual")   # manual, schedule
    status: Mapped[str] = mapped_column(String(10), default="queued")    # queued, running, done, failed
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    steps_total: Mapped[int] = mapped_column(Integer, default=3)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")


class LifecycleSettings(TenantScoped, db.Model):
    """The workspace's lifecycle settings: the template it started from, the nightly re-evaluation."""

    __tablename__ = "lifecycle_settings"
    __table_args__ = tenant_table_args(UniqueConstraint("tenant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str | None] = mapped_column(String(20))
    nightly: Mapped[bool] = mapped_column(Boolean, default=True)
