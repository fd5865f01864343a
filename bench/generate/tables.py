"""One small function per table: it yields the rows (dicts keyed by column) of one workspace.

Adding a table is one function decorated with @workspace_table("name"), placed after the tables it
references. The writer skips a table that does not exist yet (the sales and service modules add
deals and tickets later) and fills only the columns the table has, so these functions may name a
few more columns than the final table keeps.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Iterable, Iterator

from bench.generate import vocabulary as words
from bench.generate.fields import ANCHOR, FIELDS_BY_OBJECT, draw_values
from bench.generate.plan import WorkspacePlan

Rows = Iterable[dict]


@dataclass(frozen=True)
class TableGenerator:
    table: str
    rows: Callable[[WorkspacePlan], Rows]


WORKSPACE_TABLES: list[TableGenerator] = []


def workspace_table(table: str) -> Callable[[Callable[[WorkspacePlan], Rows]], Callable[[WorkspacePlan], Rows]]:
    """Register `rows(plan)` as the generator of `table`; tables are written in registration order."""
    def register(fn: Callable[[WorkspacePlan], Rows]) -> Callable[[WorkspacePlan], Rows]:
        WORKSPACE_TABLES.append(TableGenerator(table, fn))
        return fn
    return register


def _stamps(plan: WorkspacePlan, days_back: int = 900) -> dict:
    created = ANCHOR - timedelta(seconds=plan.rng.randrange(days_back * 86400))
    return {"created_at": created, "updated_at": created + timedelta(days=plan.rng.randrange(60))}


def _record(plan: WorkspacePlan, table: str, object_key: str) -> dict:
    """The columns every core record has (RecordMixin): id, tenant, owner, custom values, timestamps."""
    return {"id": plan.ids.next(table), "tenant_id": plan.tenant_id, "owner_id": plan.owner_of_record(),
            "custom": draw_values(plan.rng, FIELDS_BY_OBJECT[object_key]), **_stamps(plan)}


def _person(rng) -> str:
    if rng.random() < 0.7:
        return rng.choice(words.SURNAMES) + rng.choice(words.GIVEN_NAMES)
    return f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"


def _phone(rng) -> str:
    return f"+86 1{rng.randrange(30, 90)} {rng.randrange(10**7, 10**8)}"


# --- metadata ------------------------------------------------------------------------------

OBJECTS = (("contact", "Contact", "Contacts", "联系人"), ("company", "Company", "Companies", "公司"),
           ("order", "Order", "Orders", "订单"), ("activity", "Activity", "Activities", "活动"))


@workspace_table("object_definitions")
def object_definitions(plan: WorkspacePlan) -> Iterator[dict]:
    # The app's workspace set-up (the workspace_created hooks) normally made these already.
    for position, (key, label, plural, zh) in enumerate(OBJECTS):
        if key in plan.object_ids:
            continue
        plan.object_ids[key] = plan.ids.next("object_definitions")
        yield {"id": plan.object_ids[key], "tenant_id": plan.tenant_id, "key": key, "position": position,
               "labels": {"en": label, "zh_Hans": zh}, "plural_labels": {"en": plural, "zh_Hans": zh},
               "is_system": True}


@workspace_table("field_definitions")
def field_definitions(plan: WorkspacePlan) -> Iterator[dict]:
    for object_key, fields in FIELDS_BY_OBJECT.items():
        for position, f in enumerate(fields, start=100):
            yield {"id": plan.ids.next("field_definitions"), "tenant_id": plan.tenant_id,
                   "object_id": plan.object_ids[object_key], "key": f.key, "type": f.type, "labels": f.labels,
                   "help_texts": {}, "options": f.definition_options(), "required": False, "unique": False,
                   "default": None, "group": None, "position": position, "hidden": False,
                   "filterable": f.filterable, "is_system": False, "reference_object": None,
                   "removed_at": None, "index_state": None, "created_at": ANCHOR - timedelta(days=900)}


@workspace_table("metadata_versions")
def metadata_versions(plan: WorkspacePlan) -> Iterator[dict]:
    if not plan.has_version:
        yield {"id": plan.ids.next("metadata_versions"), "tenant_id": plan.tenant_id, "version": 1}


# --- core records --------------------------------------------------------------------------

@workspace_table("companies")
def companies(plan: WorkspacePlan) -> Iterator[dict]:
    rng = plan.rng
    for n in range(max(1, plan.size // 8)):
        row = _record(plan, "companies", "company")
        name = rng.choice(words.COMPANY_WORDS) + rng.choice(words.COMPANY_WORDS) + rng.choice(words.COMPANY_SUFFIXES)
        plan.company_ids.append(row["id"])
        yield {**row, "name": f"{name} {n}", "domain": f"co{row['id']}.example.com",
               "email": f"hello@co{row['id']}.example.com", "phone": _phone(rng),
               "industry": rng.choice(words.INDUSTRIES), "city": rng.choice(words.CITIES),
               "tags": rng.sample(words.TAGS, rng.randrange(0, 2))}


LIFECYCLE = ("awareness", "consideration", "purchase", "retention", "loyalty", "at_risk", "churned")


@workspace_table("contacts")
def contacts(plan: WorkspacePlan) -> Iterator[dict]:
    rng = plan.rng
    for _ in range(plan.size):
        row = _record(plan, "contacts", "contact")
        company_id = rng.choice(plan.company_ids) if rng.random() < 0.7 else None
        plan.contacts.append((row["id"], company_id))
        yield {**row, "name": _person(rng), "email": f"c{row['id']}@mail{rng.randrange(20)}.example",
               "phone": _phone(rng) if rng.random() < 0.8 else None, "title": rng.choice(words.TITLES),
               "company_id": company_id, "tags": rng.sample(words.TAGS, rng.randrange(0, 3)),
               "lifecycle_stage": rng.choices(LIFECYCLE, (15, 15, 25, 20, 10, 10, 5))[0]}


def _skewed_count(rng, mu: float, sigma: float, cap: int) -> int:
    """A per-customer count from a lognormal: most customers have 0-2, a few have dozens."""
    return min(cap, int(rng.lognormvariate(mu, sigma)))


ORDER_STATUSES = ("paid", "shipped", "completed", "refunded", "cancelled", "pending")


@workspace_table("orders")
def orders(plan: WorkspacePlan) -> Iterator[dict]:
    rng = plan.rng
    for contact_id, company_id in plan.contacts:
        for _ in range(_skewed_count(rng, 0.2, 1.1, 300)):
            row = _record(plan, "orders", "order")
            yield {**row, "number": f"SO-{row['id']:08d}", "contact_id": contact_id, "company_id": company_id,
                   "ordered_on": row["created_at"].date(), "amount": round(rng.lognormvariate(5.5, 1.0), 2),
                   "currency": "CNY", "status": rng.choices(ORDER_STATUSES, (30, 15, 40, 5, 5, 5))[0],
                   "items_summary": ", ".join(rng.sample(words.PRODUCTS, rng.randrange(1, 4)))}


@workspace_table("activities")
def activities(plan: WorkspacePlan) -> Iterator[dict]:
    rng = plan.rng
    kinds = tuple(words.ACTIVITY_SUBJECTS)
    for contact_id, company_id in plan.contacts:
        for _ in range(_skewed_count(rng, 0.1, 1.0, 200)):
            row = _record(plan, "activities", "activity")
            kind = rng.choices(kinds, (30, 30, 10, 20, 10))[0]
            yield {**row, "kind": kind, "subject": rng.choice(words.ACTIVITY_SUBJECTS[kind]),
                   "body": None if rng.random() < 0.6 else rng.choice(words.ACTIVITY_SUBJECTS["note"]),
                   "occurred_at": row["created_at"],
                   "due_on": (row["created_at"] + timedelta(days=7)).date() if kind == "task" else None,
                   "done": kind != "task" or rng.random() < 0.7, "contact_id": contact_id, "company_id": company_id}


# --- module tables, written when their module's migration has created them ------------------

@workspace_table("deals")
def deals(plan: WorkspacePlan) -> Iterator[dict]:
    rng = plan.rng
    for contact_id, company_id in plan.contacts:
        if rng.random() < 0.15:
            row = {"id": plan.ids.next("deals"), "tenant_id": plan.tenant_id, "owner_id": plan.owner_of_record(),
                   "custom": {}, **_stamps(plan, 365)}
            yield {**row, "name": f"{rng.choice(words.PRODUCTS)} × {rng.randrange(1, 500)}",
                   "amount": round(rng.lognormvariate(8.5, 1.3), 2), "currency": "CNY",
                   "expected_close_on": (row["created_at"] + timedelta(days=rng.randrange(7, 120))).date(),
                   "contact_id": contact_id, "company_id": company_id}


@workspace_table("tickets")
def tickets(plan: WorkspacePlan) -> Iterator[dict]:
    rng = plan.rng
    for contact_id, company_id in plan.contacts:
        if rng.random() < 0.1:
            row = {"id": plan.ids.next("tickets"), "tenant_id": plan.tenant_id, "owner_id": plan.owner_of_record(),
                   "custom": {}, **_stamps(plan, 365)}
            yield {**row, "subject": rng.choice(("配送延迟", "Refund request", "账号问题", "Wrong item")),
                   "description": None, "priority": rng.choices(("low", "normal", "high", "urgent"), (20, 60, 15, 5))[0],
                   "contact_id": contact_id, "company_id": company_id}
