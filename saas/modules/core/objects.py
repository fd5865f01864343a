"""The core module's objects and their standard fields (labels are data, in every UI language)."""
from __future__ import annotations

from flask import Flask

from saas.metadata.objects import ObjectType, StandardField, register_object
from saas.modules.core.models import ACTIVITY_KINDS, ORDER_STATUSES, Activity, Company, Contact, Order


def L(en: str, hans: str, hant: str) -> dict:
    return {"en": en, "zh_Hans": hans, "zh_Hant": hant}


def _options(*items: tuple[str, dict]) -> tuple:
    return tuple({"value": value, "labels": labels} for value, labels in items)


LIFECYCLE_OPTIONS = _options(
    ("awareness", L("Awareness", "认知", "認知")), ("consideration", L("Consideration", "考虑", "考慮")),
    ("purchase", L("Purchase", "购买", "購買")), ("retention", L("Retention", "留存", "留存")),
    ("loyalty", L("Loyalty", "忠诚", "忠誠")), ("at_risk", L("At risk", "流失风险", "流失風險")),
    ("churned", L("Churned", "已流失", "已流失")),
)
TAG_OPTIONS = _options(
    ("vip", L("VIP", "VIP", "VIP")), ("key_account", L("Key account", "重点客户", "重點客戶")),
    ("newsletter", L("Newsletter", "订阅简报", "訂閱簡報")), ("partner", L("Partner", "合作伙伴", "合作夥伴")),
    ("wholesale", L("Wholesale", "批发", "批發")),
)
INDUSTRY_OPTIONS = _options(
    ("retail", L("Retail", "零售", "零售")), ("manufacturing", L("Manufacturing", "制造", "製造")),
    ("software", L("Software", "软件", "軟體")), ("food", L("Food & beverage", "餐饮食品", "餐飲食品")),
    ("education", L("Education", "教育", "教育")), ("healthcare", L("Healthcare", "医疗健康", "醫療健康")),
    ("logistics", L("Logistics", "物流", "物流")), ("finance", L("Finance", "金融", "金融")),
)
CURRENCY_OPTIONS = _options(*[(c, L(c, c, c)) for c in ("CNY", "USD", "EUR", "HKD", "TWD", "JPY")])
STATUS_LABELS = {
    "pending": L("Pending", "待付款", "待付款"), "paid": L("Paid", "已付款", "已付款"),
    "shipped": L("Shipped", "已发货", "已出貨"), "completed": L("Completed", "已完成", "已完成"),
    "refunded": L("Refunded", "已退款", "已退款"), "cancelled": L("Cancelled", "已取消", "已取消"),
}
KIND_LABELS = {
    "call": L("Call", "电话", "電話"), "email": L("E-mail", "邮件", "郵件"), "meeting": L("Meeting", "会议", "會議"),
    "note": L("Note", "备注", "備註"), "task": L("Task", "任务", "任務"),
}

OWNER = StandardField("owner", "reference", L("Owner", "负责人", "負責人"), column="owner_id", reference_object="user")
CREATED = StandardField("created_at", "datetime", L("Created", "创建时间", "建立時間"), editable=False)
TAGS = StandardField("tags", "multi_select", L("Tags", "标签", "標籤"), options=TAG_OPTIONS)

COMPANY = ObjectType(
    key="company", model=Company, endpoint="companies", position=20,
    labels=L("Company", "公司", "公司"), plural_labels=L("Companies", "公司", "公司"),
    standard_fields=(
        StandardField("name", "text", L("Name", "名称", "名稱"), required=True),
        StandardField("industry", "single_select", L("Industry", "行业", "行業"), options=INDUSTRY_OPTIONS),
        StandardField("phone", "phone", L("Phone", "电话", "電話")),
        StandardField("email", "email", L("E-mail", "邮箱", "電郵")),
        StandardField("domain", "text", L("Website", "网站", "網站")),
        StandardField("city", "text", L("City", "城市", "城市")),
        TAGS, OWNER, CREATED,
    ),
    searchable=("name", "email", "phone", "domain"),
    default_columns=("name", "industry", "city", "phone", "owner"),
)

CONTACT = ObjectType(
    key="contact", model=Contact, endpoint="contacts", position=10,
    labels=L("Contact", "联系人", "聯絡人"), plural_labels=L("Contacts", "联系人", "聯絡人"),
    standard_fields=(
        StandardField("name", "text", L("Name", "姓名", "姓名"), required=True),
        StandardField("email", "email", L("E-mail", "邮箱", "電郵")),
        StandardField("phone", "phone", L("Phone", "电话", "電話")),
        StandardField("title", "text", L("Job title", "职位", "職位")),
        StandardField("company", "reference", L("Company", "公司", "公司"), column="company_id",
                      reference_object="company"),
        StandardField("lifecycle_stage", "single_select", L("Lifecycle stage", "生命周期阶段", "生命週期階段"),
                      options=LIFECYCLE_OPTIONS),
        TAGS, OWNER, CREATED,
    ),
    searchable=("name", "email", "phone"),
    default_columns=("name", "company", "email", "phone", "lifecycle_stage"),
)

ORDER = ObjectType(
    key="order", model=Order, endpoint="orders", position=30, title_field="number",
    labels=L("Order", "订单", "訂單"), plural_labels=L("Orders", "订单", "訂單"),
    standard_fields=(
        StandardField("number", "text", L("Order number", "订单号", "訂單編號"), required=True, unique=True),
        StandardField("contact", "reference", L("Customer", "客户", "客戶"), column="contact_id",
                      reference_object="contact", required=True),
        StandardField("company", "reference", L("Company", "公司", "公司"), column="company_id",
                      reference_object="company"),
        StandardField("ordered_on", "date", L("Order date", "下单日期", "下單日期"), required=True),
        StandardField("amount", "currency", L("Amount", "金额", "金額"), required=True),
        StandardField("currency", "single_select", L("Currency", "币种", "幣別"), options=CURRENCY_OPTIONS),
        StandardField("status", "single_select", L("Status", "状态", "狀態"),
                      options=_options(*[(s, STATUS_LABELS[s]) for s in ORDER_STATUSES])),
        StandardField("items_summary", "long_text", L("Items", "商品摘要", "商品摘要")),
        OWNER, CREATED,
    ),
    searchable=("number",),
    default_columns=("number", "contact", "ordered_on", "amount", "currency", "status"),
)

ACTIVITY = ObjectType(
    key="activity", model=Activity, endpoint="activities", position=40, title_field="subject",
    labels=L("Activity", "活动", "活動"), plural_labels=L("Activities", "活动", "活動"),
    standard_fields=(
        StandardField("kind", "single_select", L("Kind", "类型", "類型"), required=True,
                      options=_options(*[(k, KIND_LABELS[k]) for k in ACTIVITY_KINDS])),
        StandardField("subject", "text", L("Subject", "主题", "主題"), required=True),
        StandardField("body", "long_text", L("Details", "详情", "詳情")),
        StandardField("occurred_at", "datetime", L("When", "时间", "時間")),
        StandardField("due_on", "date", L("Due", "截止日期", "截止日期")),
        StandardField("done", "boolean", L("Done", "已完成", "已完成")),
        StandardField("contact", "reference", L("Contact", "联系人", "聯絡人"), column="contact_id",
                      reference_object="contact"),
        StandardField("company", "reference", L("Company", "公司", "公司"), column="company_id",
                      reference_object="company"),
        OWNER, CREATED,
    ),
    searchable=("subject",),
    default_columns=("kind", "subject", "contact", "occurred_at", "due_on", "done"),
)

CORE_OBJECTS = (CONTACT, COMPANY, ORDER, ACTIVITY)


def register(app: Flask) -> None:
    """Register the core objects with the app's metadata layer."""
    for spec in CORE_OBJECTS:
        register_object(app, spec)
