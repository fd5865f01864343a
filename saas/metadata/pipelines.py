"""Pipelines and their stages, per workspace and per object (deals now, tickets later).

A pipeline is an ordered list of stages; each stage has a name per language, a win probability
(0-100) and an outcome: "open", "won" or "lost". An object that uses pipelines has `pipeline_id`
and `stage_id` columns on its model; this module finds them through the object registry.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, and_, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.i18n import LANGUAGES, pick
from saas.metadata.objects import object_type
from saas.tenants.isolation import TenantScoped, tenant_fk, tenant_table_args
from saas.tenants.models import utcnow

OUTCOMES = ("open", "won", "lost")
NAME_MAX = 80
# Custom values: jsonb on PostgreSQL (the query builder reads custom->>'key'), JSON elsewhere.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


class Pipeline(TenantScoped, db.Model):
    """An ordered set of stages for one object's records (e.g. "New business" for deals)."""

    __tablename__ = "pipelines"
    __table_args__ = tenant_table_args(Index("ix_pipelines_tenant_object", "tenant_id", "object_key", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    object_key: Mapped[str] = mapped_column(String(63), default="deal")
    name: Mapped[str] = mapped_column(String(NAME_MAX))          # the name in the first language given
    labels: Mapped[dict] = mapped_column(JSON, default=dict)     # {"en": ..., "zh_Hans": ..., "zh_Hant": ...}
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # Pipelines and stages are registered objects (API, field studio), so they carry custom values.
    custom: Mapped[dict] = mapped_column(JSONDoc, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    stages: Mapped[list["Stage"]] = relationship(
        primaryjoin="and_(Stage.pipeline_id == Pipeline.id, Stage.tenant_id == Pipeline.tenant_id)",
        foreign_keys="[Stage.pipeline_id]", viewonly=True, order_by="(Stage.position, Stage.id)")

    def label(self, locale: str | None = None) -> str:
        """The name in `locale` (default: the request's language)."""
        return pick(self.labels, locale) or self.name

    def __str__(self) -> str:
        return self.label()


class Stage(TenantScoped, db.Model):
    """One step of a pipeline, with its win probability and outcome."""

    __tablename__ = "pipeline_stages"
    __table_args__ = tenant_table_args(
        tenant_fk("pipeline_id", "pipelines", ondelete="CASCADE"),
        Index("ix_pipeline_stages_tenant_pipeline", "tenant_id", "pipeline_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    probability: Mapped[int] = mapped_column(Integer, default=0)   # percent, 0-100
    outcome: Mapped[str] = mapped_column(String(10), default="open")
    custom: Mapped[dict] = mapped_column(JSONDoc, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    pipeline: Mapped[Pipeline] = relationship(
        primaryjoin="and_(Stage.pipeline_id == Pipeline.id, Stage.tenant_id == Pipeline.tenant_id)",
        foreign_keys=[pipeline_id], viewonly=True)

    def label(self, locale: str | None = None) -> str:
        return pick(self.labels, locale) or self.name

    def __str__(self) -> str:
        return self.label()


# "Pipeline · Stage": how a stage is named in pickers and lists, where names repeat across pipelines.
Stage.display_name = column_property(
    select(Pipeline.name + " · " + Stage.name)
    .where(and_(Pipeline.id == Stage.pipeline_id, Pipeline.tenant_id == Stage.tenant_id))
    .correlate_except(Pipeline).scalar_subquery())


def L(en: str, hans: str, hant: str) -> dict:
    return {"en": en, "zh_Hans": hans, "zh_Hant": hant}


# The default deal pipeline every workspace starts with: (labels, probability, outcome).
DEFAULT_DEAL_STAGES = (
    (L("Qualification", "资格审查", "資格審查"), 10, "open"),
    (L("Needs analysis", "需求分析", "需求分析"), 25, "open"),
    (L("Proposal", "方案报价", "方案報價"), 50, "open"),
    (L("Negotiation", "商务谈判", "商務談判"), 75, "open"),
    (L("Won", "赢单", "贏單"), 100, "won"),
    (L("Lost", "输单", "輸單"), 0, "lost"),
)
DEFAULT_DEAL_PIPELINE = L("Sales pipeline", "销售漏斗", "銷售漏斗")


# --- reading -----------------------------------------------------------------------------------

def pipelines(object_key: str = "deal") -> list[Pipeline]:
    """The object's pipelines of the workspace in context, in order."""
    return list(db.session.scalars(select(Pipeline).where(Pipeline.object_key == object_key)
                                   .order_by(Pipeline.position, Pipeline.id)))


def get_pipeline(pipeline_id: int) -> Pipeline | None:
    """The pipeline of the workspace in context, or None (another workspace's id: None)."""
    return db.session.scalar(select(Pipeline).where(Pipeline.id == pipeline_id))


def get_stage(stage_id: int) -> Stage | None:
    """The stage of the workspace in context, or None."""
    return db.session.scalar(select(Stage).where(Stage.id == stage_id))


def default_pipeline(object_key: str = "deal") -> Pipeline | None:
    """The pipeline new records go to when none is chosen: the default one, else the first."""
    return db.session.scalar(select(Pipeline).where(Pipeline.object_key == object_key)
                             .order_by(Pipeline.is_default.desc(), Pipeline.position, Pipeline.id).limit(1))


def first_stage(pipeline: Pipeline) -> Stage | None:
    """The first open stage of a pipeline (where new records start)."""
    stages = [s for s in pipeline.stages if s.outcome == "open"] or list(pipeline.stages)
    return stages[0] if stages else None


def stage_choices(object_key: str = "deal") -> list[tuple[Pipeline, list[Stage]]]:
    """Every pipeline with its stages, for pickers grouped by pipeline."""
    return [(p, list(p.stages)) for p in pipelines(object_key)]


# --- changing ----------------------------------------------------------------------------------

def _labels(labels: dict | None, field: str = "name") -> dict:
    cleaned = {code: ((labels or {}).get(code) or "").strip()[:NAME_MAX] for code in LANGUAGES}
    cleaned = {code: text for code, text in cleaned.items() if text}
    if not cleaned:
        raise InputError({field: _("Give it a name in at least one language.")})
    return cleaned


def _name(labels: dict) -> str:
    return labels.get("en") or next(iter(labels.values()))


def _probability(value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InputError({"probability": _("Enter a whole number from 0 to 100.")}) from None
    if not 0 <= number <= 100:
        raise InputError({"probability": _("Enter a whole number from 0 to 100.")})
    return number


def _outcome(value) -> str:
    if value not in OUTCOMES:
        raise InputError({"outcome": _("Choose open, won or lost.")})
    return value


def create_pipeline(object_key: str, labels: dict, stages=DEFAULT_DEAL_STAGES, is_default: bool = False) -> Pipeline:
    """A new pipeline with `stages` ((labels, probability, outcome), ...) at the end of the list."""
    labels = _labels(labels)
    position = (db.session.scalar(select(func.max(Pipeline.position)).where(Pipeline.object_key == object_key))
                or 0) + 10
    pipeline = Pipeline(object_key=object_key, name=_name(labels), labels=labels, position=position,
                        is_default=is_default, custom={})
    db.session.add(pipeline)
    db.session.flush()
    for index, (stage_labels, probability, outcome) in enumerate(stages):
        db.session.add(Stage(pipeline_id=pipeline.id, name=_name(stage_labels), labels=dict(stage_labels),
                             position=(index + 1) * 10, probability=probability, outcome=outcome, custom={}))
    db.session.flush()
    db.session.expire(pipeline, ["stages"])
    return pipeline


def ensure_default_pipeline(object_key: str = "deal", labels: dict = DEFAULT_DEAL_PIPELINE,
                            stages=DEFAULT_DEAL_STAGES) -> Pipeline:
    """The object's default pipeline, created with `stages` when the workspace has none (idempotent)."""
    existing = default_pipeline(object_key)
    return existing or create_pipeline(object_key, labels, stages, is_default=True)


def rename_pipeline(pipeline: Pipeline, labels: dict) -> Pipeline:
    """Rename a pipeline in each language given."""
    pipeline.labels = _labels(labels)
    pipeline.name = _name(pipeline.labels)
    db.session.flush()
    return pipeline


def add_stage(pipeline: Pipeline, labels: dict, probability=0, outcome: str = "open") -> Stage:
    """A new stage at the end of the pipeline."""
    labels = _labels(labels)
    stage = Stage(pipeline_id=pipeline.id, name=_name(labels), labels=labels, probability=_probability(probability),
                  outcome=_outcome(outcome), custom={},
                  position=(db.session.scalar(select(func.max(Stage.position))
                                              .where(Stage.pipeline_id == pipeline.id)) or 0) + 10)
    db.session.add(stage)
    db.session.flush()
    db.session.expire(pipeline, ["stages"])
    return stage


def update_stage(stage: Stage, labels: dict | None = None, probability=None, outcome: str | None = None) -> Stage:
    """Rename a stage per language, or change its probability or outcome; all or nothing."""
    new_labels = _labels(labels) if labels is not None else None
    new_probability = _probability(probability) if probability is not None else None
    new_outcome = _outcome(outcome) if outcome is not None else None
    if new_labels is not None:
        stage.labels, stage.name = new_labels, _name(new_labels)
    if new_probability is not None:
        stage.probability = new_probability
    if new_outcome is not None:
        stage.outcome = new_outcome
    db.session.flush()
    return stage


def reorder_stages(pipeline: Pipeline, stage_ids: list[int]) -> None:
    """Put the pipeline's stages in the order of `stage_ids` (ids of other pipelines are ignored)."""
    stages = {s.id: s for s in pipeline.stages}
    ordered = [stages[i] for i in dict.fromkeys(stage_ids) if i in stages]
    rest = [s for s in pipeline.stages if s not in ordered]
    for index, stage in enumerate(ordered + rest):
        stage.position = (index + 1) * 10
    db.session.flush()
    db.session.expire(pipeline, ["stages"])


def records_in_stage(stage: Stage) -> int:
    """How many records of the pipeline's object sit in `stage`."""
    spec = object_type(stage.pipeline.object_key)
    if spec is None or not hasattr(spec.model, "stage_id"):
        return 0
    return db.session.scalar(select(func.count()).select_from(spec.model).where(spec.model.stage_id == stage.id)) or 0


def delete_stage(stage: Stage) -> None:
    """Remove an empty stage; a stage that still holds records, or the last one, stays."""
    pipeline = stage.pipeline
    if records_in_stage(stage):
        raise InputError(message=_("Move the records out of this stage before removing it."))
    if len(pipeline.stages) <= 1:
        raise InputError(message=_("A pipeline keeps at least one stage."))
    db.session.delete(stage)
    db.session.flush()
    db.session.expire(pipeline, ["stages"])
