"""The sales module's objects in the metadata layer: deals, leads, pipelines and stages.

Registering them gives each workspace their field definitions (custom fields in the field studio),
the list pages with the query builder and saved views, and the REST API under /api/v1/deals,
/leads, /pipelines and /stages (answering 404 where the sales module is off).
"""
from __future__ import annotations

from flask import Flask

from saas.plugin_api import ObjectType, StandardField, pipelines, register_object
from saas.modules.sales.models import LEAD_SOURCES, LEAD_STATUSES, Deal, Lead


def L(en: str, hans: str, hant: str) -> dict:
    return {"en": en, "zh_Hans": hans, "zh_Hant": hant}


def _options(pairs) -> tuple:
    return tuple({"value": value, "labels": labels} for value, labels in pairs)


CURRENCIES = ("CNY", "USD", "EUR", "HKD", "TWD", "JPY")
CURRENCY_OPTIONS = _options((c, L(c, c, c)) for c in CURRENCIES)
STATUS_LABELS = {
    "new": L("New", "新线索", "新線索"), "contacted": L("Contacted", "已联系", "已聯繫"),
    "qualified": L("Qualified", "已确认", "已確認"), "converted": L("Converted", "已转化", "已轉化"),
    "disqualified": L("Disqualified", "无效", "無效"),
}
SOURCE_LABELS = {
    "website": L("Website", "官网", "官網"), "referral": L("Referral", "转介绍", "轉介紹"),
    "event": L("Event", "展会活动", "展會活動"), "advertising": L("Advertising", "广告", "廣告"),
    "cold_call": L("Cold call", "电话开发", "電話開發"), "other": L("Other", "其他", "其他"),
}
OUTCOME_LABELS = {"open": L("Open", "进行中", "進行中"), "won": L("Won", "赢单", "贏單"),
                  "lost": L("Lost", "输单", "輸單")}

OWNER = StandardField("owner", "reference", L("Owner", "负责人", "負責人"), column="owner_id", reference_object="user")
CREATED = StandardField("created_at", "datetime", L("Created", "创建时间", "建立時間"), editable=False)

DEAL = ObjectType(
    key="deal", model=Deal, endpoint="deals", position=25,
    labels=L("Deal", "商机", "商機"), plural_labels=L("Deals", "商机", "商機"),
    standard_fields=(
        StandardField("name", "text", L("Name", "名称", "名稱"), required=True),
        StandardField("amount", "currency", L("Amount", "金额", "金額"), required=True),
        StandardField("currency", "single_select", L("Currency", "币种", "幣別"), options=CURRENCY_OPTIONS),
        StandardField("expected_close_on", "date", L("Expected close", "预计成交日期", "預計成交日期")),
        StandardField("stage", "reference", L("Stage", "阶段", "階段"), column="stage_id", reference_object="stage"),
        StandardField("pipeline", "reference", L("Pipeline", "销售流程", "銷售流程"), column="pipeline_id",
                      reference_object="pipeline", editable=False),
        StandardField("company", "reference", L("Company", "公司", "公司"), column="company_id",
                      reference_object="company"),
        OWNER,
        StandardField("lost_reason", "long_text", L("Lost reason", "输单原因", "輸單原因")),
        StandardField("closed_on", "date", L("Closed on", "结单日期", "結單日期"), editable=False),
        CREATED,
    ),
    searchable=("name",),
    default_columns=("name", "company", "amount", "currency", "stage", "expected_close_on", "owner"),
)

LEAD = ObjectType(
    key="lead", model=Lead, endpoint="leads", position=24,
    labels=L("Lead", "线索", "線索"), plural_labels=L("Leads", "线索", "線索"),
    standard_fields=(
        StandardField("name", "text", L("Name", "姓名", "姓名"), required=True),
        StandardField("company_name", "text", L("Company name", "公司名称", "公司名稱")),
        StandardField("email", "email", L("E-mail", "邮箱", "電郵")),
        StandardField("phone", "phone", L("Phone", "电话", "電話")),
        StandardField("source", "single_select", L("Source", "来源", "來源"),
                      options=_options((s, SOURCE_LABELS[s]) for s in LEAD_SOURCES)),
        StandardField("status", "single_select", L("Status", "状态", "狀態"),
                      options=_options((s, STATUS_LABELS[s]) for s in LEAD_STATUSES)),
        OWNER, CREATED,
    ),
    searchable=("name", "email", "phone"),
    default_columns=("name", "company_name", "email", "phone", "source", "status", "owner"),
)

PIPELINE = ObjectType(
    key="pipeline", model=pipelines.Pipeline, endpoint="pipelines", position=90,
    labels=L("Pipeline", "销售流程", "銷售流程"), plural_labels=L("Pipelines", "销售流程", "銷售流程"),
    standard_fields=(
        StandardField("name", "text", L("Name", "名称", "名稱"), required=True),
        StandardField("position", "number", L("Position", "排序", "排序")),
        StandardField("object_key", "text", L("Object", "对象", "對象"), editable=False, hidden=True),
    ),
    default_columns=("name", "position"),
)

STAGE = ObjectType(
    key="stage", model=pipelines.Stage, endpoint="stages", position=91, title_field="display_name",
    labels=L("Stage", "阶段", "階段"), plural_labels=L("Stages", "阶段", "階段"),
    standard_fields=(
        StandardField("name", "text", L("Name", "名称", "名稱"), required=True),
        StandardField("pipeline", "reference", L("Pipeline", "销售流程", "銷售流程"), column="pipeline_id",
                      reference_object="pipeline", required=True),
        StandardField("position", "number", L("Position", "排序", "排序")),
        StandardField("probability", "number", L("Win probability (%)", "赢单概率（%）", "贏單機率（%）")),
        StandardField("outcome", "single_select", L("Outcome", "结果", "結果"),
                      options=_options((o, OUTCOME_LABELS[o]) for o in pipelines.OUTCOMES)),
    ),
    default_columns=("name", "pipeline", "position", "probability", "outcome"),
)

SALES_OBJECTS = (DEAL, LEAD, PIPELINE, STAGE)


def register(app: Flask) -> None:
    """Register the sales objects with the app's metadata layer."""
    for spec in SALES_OBJECTS:
        register_object(app, spec)
