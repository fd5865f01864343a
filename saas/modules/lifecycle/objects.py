"""Lifecycle stages as a registered object: the REST API serves them at /api/v1/lifecycle_stages."""
from __future__ import annotations

from flask import Flask

from saas.metadata.lifecycle import KINDS, L, LifecycleStage
from saas.plugin_api import ObjectType, StandardField, register_object

KIND_LABELS = {"prospect": L("Prospect", "潜在客户", "潛在客戶"), "customer": L("Customer", "客户", "客戶"),
               "at_risk": L("At risk", "有流失风险", "有流失風險"), "lost": L("Lost", "已流失", "已流失")}

LIFECYCLE_STAGE = ObjectType(
    key="lifecycle_stage", model=LifecycleStage, endpoint=None, position=92,
    labels=L("Lifecycle stage", "生命周期阶段", "生命週期階段"),
    plural_labels=L("Lifecycle stages", "生命周期阶段", "生命週期階段"),
    standard_fields=(
        StandardField("key", "text", L("Key", "标识", "標識"), required=True, unique=True, editable=False),
        StandardField("name", "text", L("Name", "名称", "名稱"), required=True),
        StandardField("colour", "text", L("Colour", "颜色", "顏色")),
        StandardField("kind", "single_select", L("Kind", "类型", "類型"),
                      options=tuple({"value": k, "labels": KIND_LABELS[k]} for k in KINDS)),
        StandardField("position", "number", L("Position", "排序", "排序")),
    ),
    default_columns=("name", "kind", "colour", "position"),
    extra={"api_path": "lifecycle_stages"},
)


def register(app: Flask) -> None:
    """Register lifecycle stages with the app's metadata layer (and so with the API)."""
    register_object(app, LIFECYCLE_STAGE)
