"""Lifecycle definitions per workspace: the ordered stages a customer moves through.

A stage has an immutable key (what `contacts.lifecycle_stage` holds), a name per language, a colour
and a kind: "prospect", "customer", "at_risk" or "lost". Workspaces start from a template taken from
the seeds; admins then add, rename, recolour, re-kind and reorder stages. The contact field
`lifecycle_stage` offers exactly the workspace's stages (its options follow every change here).

Moving customers (rules, history, removing a stage that holds customers) belongs to the lifecycle
module (saas.modules.lifecycle); this layer only keeps the definitions.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, Index, Integer, String, UniqueConstraint, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from saas.errors import InputError
from saas.extensions import db
from saas.metadata.i18n import LANGUAGES, pick
from saas.tenants.isolation import TenantScoped, tenant_table_args
from saas.tenants.models import utcnow

KINDS = {"prospect": _l("Prospect"), "customer": _l("Customer"), "at_risk": _l("At risk"), "lost": _l("Lost")}
NAME_MAX = 80
KEY_MAX = 40
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
STAGE_FIELD = ("contact", "lifecycle_stage")
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


class LifecycleStage(TenantScoped, db.Model):
    """One stage of the workspace's customer lifecycle."""

    __tablename__ = "lifecycle_stages"
    __table_args__ = tenant_table_args(
        UniqueConstraint("tenant_id", "key"),
        Index("ix_lifecycle_stages_tenant_position", "tenant_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX))              # immutable; contacts hold it
    name: Mapped[str] = mapped_column(String(NAME_MAX))            # the English name, else the first given
    labels: Mapped[dict] = mapped_column(JSON, default=dict)       # {"en": ..., "zh_Hans": ..., "zh_Hant": ...}
    colour: Mapped[str] = mapped_column(String(7), default="#6b7280")
    kind: Mapped[str] = mapped_column(String(12), default="customer")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Stages are a registered object (the REST API), so they carry custom values like every record.
    custom: Mapped[dict] = mapped_column(JSONDoc, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def label(self, locale: str | None = None) -> str:
        """The name in `locale` (default: the request's language)."""
        return pick(self.labels, locale) or self.name

    def __str__(self) -> str:
        return self.label()


def L(en: str, hans: str, hant: str) -> dict:
    return {"en": en, "zh_Hans": hans, "zh_Hant": hant}


# Templates from the seeds: (key, labels, colour, kind) in order.
TEMPLATES: dict[str, dict] = {
    # Seed 000: the five stages of customer lifecycle management, plus at risk and churned.
    "funnel": {
        "labels": L("Awareness to loyalty", "认知到忠诚", "認知到忠誠"),
        "stages": (
            ("awareness", L("Awareness", "认知", "認知"), "#60a5fa", "prospect"),
            ("consideration", L("Consideration", "考虑", "考慮"), "#818cf8", "prospect"),
            ("purchase", L("Purchase", "购买", "購買"), "#34d399", "customer"),
            ("retention", L("Retention", "保留", "保留"), "#10b981", "customer"),
            ("loyalty", L("Loyalty", "忠诚", "忠誠"), "#059669", "customer"),
            ("at_risk", L("At risk", "流失风险", "流失風險"), "#f59e0b", "at_risk"),
            ("churned", L("Churned", "已流失", "已流失"), "#ef4444", "lost"),
        ),
    },
    # Seed 002: the value lifecycle 获取期 → 提升期 → 成熟期 → 衰退期 → 离开期.
    "value": {
        "labels": L("Acquisition to departure", "获取期到离开期", "獲取期到離開期"),
        "stages": (
            ("acquisition", L("Acquisition", "获取期", "獲取期"), "#60a5fa", "prospect"),
            ("growth", L("Growth", "提升期", "提升期"), "#34d399", "customer"),
            ("maturity", L("Maturity", "成熟期", "成熟期"), "#059669", "customer"),
            ("decline", L("Decline", "衰退期", "衰退期"), "#f59e0b", "at_risk"),
            ("departure", L("Departure", "离开期", "離開期"), "#ef4444", "lost"),
        ),
    },
    # Seed 004: acquisition, development, maintenance, loyalty and churn management.
    "erp": {
        "labels": L("Acquisition to churn", "客户获取到客户流失", "客戶獲取到客戶流失"),
        "stages": (
            ("acquisition", L("Acquisition", "客户获取", "客戶獲取"), "#60a5fa", "prospect"),
            ("development", L("Development", "客户开发", "客戶開發"), "#34d399", "customer"),
            ("maintenance", L("Maintenance", "客户维护", "客戶維護"), "#10b981", "customer"),
            ("loyalty", L("Loyalty", "客户忠诚", "客戶忠誠"), "#059669", "customer"),
            ("churn", L("Churn", "客户流失", "客戶流失"), "#ef4444", "lost"),
        ),
    },
}
DEFAULT_TEMPLATE = "funnel"


# --- reading -----------------------------------------------------------------------------------

def stages() -> list[LifecycleStage]:
    """The workspace's stages in order."""
    return list(db.session.scalars(select(LifecycleStage).order_by(LifecycleStage.position, LifecycleStage.id)))


def stage_map() -> dict[str, LifecycleStage]:
    """The workspace's stages by key, in order."""
    return {s.key: s for s in stages()}


def get_stage(stage_id: int) -> LifecycleStage | None:
    """The stage of the workspace in context, or None (another workspace's id: None)."""
    return db.session.scalar(select(LifecycleStage).where(LifecycleStage.id == stage_id))


def first_stage() -> LifecycleStage | None:
    """Where a customer without a stage starts: the first stage."""
    return db.session.scalar(select(LifecycleStage).order_by(LifecycleStage.position, LifecycleStage.id).limit(1))


def template_choices() -> list[tuple[str, str]]:
    """(template key, name in the request's language)."""
    return [(key, pick(t["labels"])) for key, t in TEMPLATES.items()]


def kind_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in KINDS.items()]


# --- changing ----------------------------------------------------------------------------------

def clean_labels(labels: dict | None, field: str = "name") -> dict:
    """Names per language, trimmed; at least one is required."""
    cleaned = {code: ((labels or {}).get(code) or "").strip()[:NAME_MAX] for code in LANGUAGES}
    cleaned = {code: text for code, text in cleaned.items() if text}
    if not cleaned:
        raise InputError({field: _("Give it a name in at least one language.")})
    return cleaned


def _name(labels: dict) -> str:
    return labels.get("en") or next(iter(labels.values()))


def _colour(value: str | None, field: str = "colour") -> str:
    value = (value or "").strip()
    if not COLOUR_RE.match(value):
        raise InputError({field: _("Choose a colour like #22aa66.")})
    return value.lower()


def _kind(value: str | None, field: str = "kind") -> str:
    if value not in KINDS:
        raise InputError({field: _("Choose prospect, customer, at risk or lost.")})
    return value


def _new_key(labels: dict) -> str:
    # Derived once from the English (else any) name; Chinese-only names get a numbered key.
    base = re.sub(r"[^a-z0-9]+", "_", (labels.get("en") or "").lower()).strip("_")[:KEY_MAX - 4] or "stage"
    if not base[0].isalpha():
        base = f"s_{base}"[:KEY_MAX - 4]
    taken = set(db.session.scalars(select(LifecycleStage.key)))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _next_position() -> int:
    return (db.session.scalar(select(func.max(LifecycleStage.position))) or 0) + 10


def create_stages(template: str) -> list[LifecycleStage]:
    """Add a template's stages to a workspace that has none (raises when it has some)."""
    if template not in TEMPLATES:
        raise InputError({"template": _("Choose one of the templates.")})
    if stages():
        raise InputError({"template": _("This workspace has lifecycle stages already.")})
    rows = []
    for index, (key, labels, colour, kind) in enumerate(TEMPLATES[template]["stages"]):
        row = LifecycleStage(key=key, name=labels["en"], labels=dict(labels), colour=colour, kind=kind,
                             position=(index + 1) * 10, custom={})
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    sync_field_options()
    return rows


def add_stage(labels: dict, colour: str = "#6b7280", kind: str = "customer") -> LifecycleStage:
    """A new stage at the end, with a key derived from its name."""
    errors: dict = {}
    for check in (lambda: clean_labels(labels), lambda: _colour(colour), lambda: _kind(kind)):
        try:
            check()
        except InputError as exc:
            errors.update(exc.fields)
    if errors:
        raise InputError(errors)
    labels = clean_labels(labels)
    row = LifecycleStage(key=_new_key(labels), name=_name(labels), labels=labels, colour=_colour(colour),
                         kind=kind, position=_next_position(), custom={})
    db.session.add(row)
    db.session.flush()
    sync_field_options()
    return row


def update_stage(stage: LifecycleStage, labels: dict | None = None, colour: str | None = None,
                 kind: str | None = None) -> LifecycleStage:
    """Rename a stage per language, recolour it or change its kind; all or nothing."""
    errors: dict = {}
    new = {}
    for name, check in (("labels", lambda: labels is not None and clean_labels(labels)),
                        ("colour", lambda: colour is not None and _colour(colour)),
                        ("kind", lambda: kind is not None and _kind(kind))):
        try:
            new[name] = check()
        except InputError as exc:
            errors.update(exc.fields)
    if errors:
        raise InputError(errors)
    if new["labels"]:
        stage.labels, stage.name = new["labels"], _name(new["labels"])
    if new["colour"]:
        stage.colour = new["colour"]
    if new["kind"]:
        stage.kind = new["kind"]
    db.session.flush()
    sync_field_options()
    return stage


def reorder_stages(stage_ids: list[int]) -> None:
    """Put the stages in the order of `stage_ids` (unknown ids are ignored, missing ones go last)."""
    current = stages()
    by_id = {s.id: s for s in current}
    ordered = [by_id[i] for i in dict.fromkeys(stage_ids) if i in by_id]
    rest = [s for s in current if s not in ordered]
    for index, stage in enumerate(ordered + rest):
        stage.position = (index + 1) * 10
    db.session.flush()
    sync_field_options()


def delete_stage(stage: LifecycleStage) -> None:
    """Remove a stage that holds no customer (the lifecycle module moves them first); one stays."""
    from saas.modules.core.models import Contact

    if len(stages()) <= 1:
        raise InputError(message=_("The lifecycle keeps at least one stage."))
    held = db.session.scalar(select(func.count()).select_from(Contact).where(Contact.lifecycle_stage == stage.key))
    if held:
        raise InputError({"move_to": _("Choose where this stage's customers go first.")})
    db.session.delete(stage)
    db.session.flush()
    sync_field_options()


def delete_all_stages() -> None:
    """Remove every stage (switching template; the module has moved the customers already)."""
    for stage in stages():
        db.session.delete(stage)
    db.session.flush()


def sync_field_options() -> None:
    """Make the contact field `lifecycle_stage` offer exactly these stages, in order (lists, forms, API)."""
    from saas.metadata.definitions import bump_version
    from saas.metadata.models import FieldDefinition, ObjectDefinition

    row = db.session.scalar(
        select(FieldDefinition).join(ObjectDefinition, (ObjectDefinition.id == FieldDefinition.object_id)
                                     & (ObjectDefinition.tenant_id == FieldDefinition.tenant_id))
        .where(ObjectDefinition.key == STAGE_FIELD[0], FieldDefinition.key == STAGE_FIELD[1]))
    if row is None:
        return
    options = [{"value": s.key, "labels": dict(s.labels)} for s in stages()]
    if row.options != options:
        row.options = options
        db.session.flush()
        bump_version()
