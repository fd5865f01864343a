"""The custom fields every generated workspace has, per object: their definitions (rows of
field_definitions) and how values are drawn (into each record's `custom` JSON document)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from bench.generate import vocabulary as words

# Every date is drawn relative to this day, not today, so a seed always gives the same data.
ANCHOR = datetime(2026, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class CustomField:
    key: str
    type: str                       # a key of saas.metadata.types.FIELD_TYPES
    labels: dict
    draw: Callable[[random.Random], Any]
    presence: float = 1.0           # share of records that have a value
    options: tuple[str, ...] = ()
    filterable: bool = False

    def definition_options(self) -> list[dict]:
        return [{"value": o, "labels": {"en": o.replace("_", " ").title()}} for o in self.options]


def _choice(options: tuple[str, ...], weights: tuple[int, ...]) -> Callable[[random.Random], str]:
    return lambda rng: rng.choices(options, weights)[0]


def _money(mu: float, sigma: float) -> Callable[[random.Random], float]:
    return lambda rng: round(rng.lognormvariate(mu, sigma), 2)


def _day(span_days: int, before: bool = True) -> Callable[[random.Random], str]:
    sign = -1 if before else 1
    return lambda rng: (ANCHOR.date() + timedelta(days=sign * rng.randrange(span_days))).isoformat()


def _moment(span_days: int) -> Callable[[random.Random], str]:
    return lambda rng: (ANCHOR - timedelta(seconds=rng.randrange(span_days * 86400))).strftime("%Y-%m-%dT%H:%M:%SZ")


def _birthday(rng: random.Random) -> str:
    return date(rng.randrange(1955, 2005), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()


TIERS = ("bronze", "silver", "gold", "platinum")
SOURCES = ("web", "referral", "event", "ads", "wechat")
INTERESTS = ("tea", "coffee", "wine", "sports", "travel", "tech", "books")

CONTACT_FIELDS = (
    CustomField("tier", "single_select", {"en": "Tier", "zh_Hans": "会员等级"}, _choice(TIERS, (50, 30, 15, 5)),
                0.95, TIERS, filterable=True),
    CustomField("source", "single_select", {"en": "Source", "zh_Hans": "来源"},
                _choice(SOURCES, (45, 20, 10, 15, 10)), 0.9, SOURCES, filterable=True),
    CustomField("annual_spend", "currency", {"en": "Annual spend", "zh_Hans": "年消费"}, _money(8.0, 1.2), 0.85,
                filterable=True),
    CustomField("nps", "number", {"en": "NPS", "zh_Hans": "净推荐值"}, lambda rng: rng.randrange(11), 0.4),
    CustomField("birthday", "date", {"en": "Birthday", "zh_Hans": "生日"}, _birthday, 0.3),
    CustomField("vip", "boolean", {"en": "VIP", "zh_Hans": "贵宾"}, lambda rng: rng.random() < 0.1, 0.6),
    CustomField("interests", "multi_select", {"en": "Interests", "zh_Hans": "兴趣"},
                lambda rng: rng.sample(INTERESTS, rng.randrange(1, 4)), 0.5, INTERESTS),
    CustomField("wechat_id", "text", {"en": "WeChat ID", "zh_Hans": "微信号"},
                lambda rng: f"wx_{rng.getrandbits(32):08x}", 0.5),
    CustomField("last_visit_at", "datetime", {"en": "Last visit", "zh_Hans": "最近到店"}, _moment(730), 0.7),
    CustomField("website", "url", {"en": "Website"}, lambda rng: f"https://example.com/u/{rng.getrandbits(24)}", 0.1),
    CustomField("notes", "long_text", {"en": "Notes", "zh_Hans": "备注"},
                lambda rng: rng.choice(words.ACTIVITY_SUBJECTS["note"]) * rng.randrange(1, 6), 0.05),
)
COMPANY_FIELDS = (
    CustomField("employees", "number", {"en": "Employees", "zh_Hans": "员工人数"},
                lambda rng: int(rng.paretovariate(1.2) * 5), 0.8),
    CustomField("segment", "single_select", {"en": "Segment", "zh_Hans": "客户分层"},
                _choice(("smb", "mid_market", "enterprise"), (70, 25, 5)), 0.9, ("smb", "mid_market", "enterprise")),
    CustomField("contract_end", "date", {"en": "Contract end", "zh_Hans": "合同到期"}, _day(720, before=False), 0.4),
)
ORDER_FIELDS = (
    CustomField("channel", "single_select", {"en": "Channel", "zh_Hans": "渠道"},
                _choice(("online", "store", "phone", "partner"), (50, 30, 10, 10)), 1.0,
                ("online", "store", "phone", "partner")),
    CustomField("discount", "percent", {"en": "Discount", "zh_Hans": "折扣"}, lambda rng: rng.choice((0, 5, 10, 20)), 0.5),
)
ACTIVITY_FIELDS = (
    CustomField("outcome", "single_select", {"en": "Outcome", "zh_Hans": "结果"},
                _choice(("positive", "neutral", "negative", "no_answer"), (40, 30, 10, 20)), 0.6,
                ("positive", "neutral", "negative", "no_answer")),
)

# object key -> its custom fields; the object keys are those of saas.metadata object types.
FIELDS_BY_OBJECT = {"contact": CONTACT_FIELDS, "company": COMPANY_FIELDS, "order": ORDER_FIELDS,
                    "activity": ACTIVITY_FIELDS}


def draw_values(rng: random.Random, fields: tuple[CustomField, ...]) -> dict:
    """A record's custom document: each field present with its probability."""
    return {f.key: f.draw(rng) for f in fields if rng.random() < f.presence}
