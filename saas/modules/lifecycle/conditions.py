"""The conditions a lifecycle rule is made of, each one a piece of SQL over the contacts table.

A condition type knows its parameters (what the rule editor asks for), how to check them, and how
to turn them into a boolean SQL expression correlated with the contact row. Because every condition
is SQL, one statement assigns every customer at once (saas.modules.lifecycle.evaluation), and the
same statement restricted to one customer is what runs when an order is placed.

Order and activity figures come from aggregates: a condition asks the context for one
(`ctx.agg(Agg("orders", "count", since))`) and the evaluation computes every aggregate the rules
need in one grouped CTE per table, joined to the contacts once.

Plugins add condition types through the `lifecycle_conditions` hook (see docs/plugins.md): plain
dicts with a key, a label, params and `sql(contact, params, today)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, and_, cast, exists, func, literal, select
from sqlalchemy.sql import ColumnElement

from saas.errors import InputError
from saas.extensions import db

# Orders that did not happen do not count.
NOT_COUNTED_STATUSES = ("cancelled", "refunded")
COMPARE_AMOUNT = {"at_least": _l("at least"), "at_most": _l("at most")}
COMPARE_DAYS = {"more_than": _l("more than"), "less_than": _l("less than")}
MAX_DAYS = 36500


@dataclass(frozen=True)
class Agg:
    """An aggregate per contact: `source` "orders" or "activities", `fn` count / sum / last / first."""

    source: str
    fn: str
    since: date | datetime | None = None

    @property
    def name(self) -> str:
        stamp = self.since.strftime("%Y%m%d%H%M") if self.since else "all"
        return f"{self.source}_{self.fn}_{stamp}"


@dataclass(frozen=True)
class Param:
    """One input of a condition in the rule editor."""

    name: str
    label: Any
    type: str = "number"          # number, integer, choice, field, operator, value
    choices: tuple = ()           # ((value, label), ...) for "choice"
    default: Any = None
    required: bool = True
    minimum: float | None = None


@dataclass(frozen=True)
class ConditionType:
    key: str
    label: Any
    params: tuple[Param, ...]
    sql: Callable[["Context", dict], ColumnElement]
    plugin: str | None = None
    check: Callable[[dict], None] | None = None   # extra validation beyond the params'
    help: Any = None


@dataclass
class Context:
    """What a condition's SQL may use: the contacts table, today, the dialect, aggregates."""

    contact: Any
    today: date
    pg: bool
    columns: dict[str, Any] | None = None          # aggregate name -> CTE column (None: collecting)
    wanted: dict[str, Agg] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return datetime(self.today.year, self.today.month, self.today.day, tzinfo=timezone.utc) + timedelta(days=1)

    def agg(self, a: Agg):
        """The per-contact value of aggregate `a` (NULL for a contact without rows)."""
        self.wanted[a.name] = a
        if self.columns is None:
            return literal(0)
        return self.columns[a.name]

    def days(self, later, earlier):
        """Whole days from `earlier` to `later` (dates), as a float expression on either database."""
        if self.pg:
            return cast(later - earlier, Float)
        return func.julianday(later) - func.julianday(earlier)

    def today_literal(self):
        return literal(self.today)


# --- parameter values ---------------------------------------------------------------------------

def _number(param: Param, raw: Any, integer: bool = False) -> float | int | None:
    text = "" if raw is None else str(raw).strip()
    if text == "":
        if param.required:
            raise InputError({param.name: _("Enter a number.")})
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError({param.name: _("Enter a number.")}) from None
    if not value.is_finite() or abs(value) > 10 ** 12:
        raise InputError({param.name: _("Enter a number.")})
    if integer and value != value.to_integral_value():
        raise InputError({param.name: _("Enter a whole number.")})
    if param.minimum is not None and value < Decimal(str(param.minimum)):
        raise InputError({param.name: _("Enter at least %(min)s.", min=param.minimum)})
    if integer and value > MAX_DAYS:
        raise InputError({param.name: _("Enter at most %(max)s.", max=MAX_DAYS)})
    return int(value) if integer else float(value)


def clean_params(ctype: ConditionType, raw: dict) -> dict:
    """The condition's parameters typed and checked; InputError keyed by parameter name."""
    out: dict = {"type": ctype.key}
    errors: dict = {}
    for param in ctype.params:
        value = raw.get(param.name, param.default)
        try:
            if param.type in ("number", "integer"):
                out[param.name] = _number(param, value, integer=param.type == "integer")
            elif param.type == "choice":
                if value not in dict(param.choices):
                    raise InputError({param.name: _("Choose one of the options.")})
                out[param.name] = value
            else:  # field, operator, value: checked by the type's own check
                out[param.name] = value if not isinstance(value, str) else value.strip()
        except InputError as exc:
            errors.update(exc.fields)
    if errors:
        raise InputError(errors)
    if ctype.check is not None:
        ctype.check(out)
    return out


def _since(ctx: Context, params: dict) -> date | None:
    days = params.get("days")
    return ctx.today - timedelta(days=int(days)) if days else None


# --- the built-in condition types ---------------------------------------------------------------

def _field_choices() -> list:
    from saas.metadata.definitions import fields

    # The stage itself is what rules decide: a rule over it could bounce customers back and forth.
    return [f for f in fields("contact") if f.key != "lifecycle_stage"]


def _check_field(params: dict) -> None:
    from saas.metadata.query import condition
    from saas.metadata.types import OPERATORS, VALUELESS_OPERATORS
    from saas.modules.core.models import Contact

    fields = {f.key: f for f in _field_choices()}
    f = fields.get(params.get("field") or "")
    if f is None:
        raise InputError({"field": _("Choose a field.")})
    op = params.get("op")
    if op not in OPERATORS or op not in f.operators:
        raise InputError({"op": _("This field cannot be compared that way.")})
    if op in VALUELESS_OPERATORS:
        params["value"] = None
        return
    if params.get("value") in (None, ""):
        raise InputError({"value": _("Enter a value to compare with.")})
    try:
        condition(Contact, f, op, params["value"])
    except InputError as exc:
        raise InputError({"value": next(iter(exc.fields.values()), exc.message)}) from None


class _Rows:
    """The contacts a condition reads (the table, or new rows not written yet) as the query
    builder takes a model: columns as attributes, the relation as __table__."""

    def __init__(self, relation) -> None:
        self.__table__ = relation

    def __getattr__(self, name: str):
        return self.__table__.c[name]


def _field_sql(ctx: Context, params: dict):
    from saas.metadata.definitions import field_map
    from saas.metadata.query import condition

    f = field_map("contact").get(params["field"])
    if f is None:  # the field was removed since: the condition no longer holds for anyone
        return literal(False)
    return condition(_Rows(ctx.contact), f, params["op"], params.get("value"), ctx.pg)


def _order_count_sql(ctx: Context, params: dict):
    n = func.coalesce(ctx.agg(Agg("orders", "count", _since(ctx, params))), 0)
    return n >= params["count"] if params["compare"] == "at_least" else n <= params["count"]


def _order_total_sql(ctx: Context, params: dict):
    total = func.coalesce(ctx.agg(Agg("orders", "sum", _since(ctx, params))), 0)
    return total >= params["amount"] if params["compare"] == "at_least" else total <= params["amount"]


def _days_since_sql(source: str):
    def build(ctx: Context, params: dict):
        last = ctx.agg(Agg(source, "last"))
        delta = timedelta(days=int(params["days"]))
        cutoff = ctx.today - delta if source == "orders" else ctx.now - delta
        if params["compare"] == "more_than":
            return and_(last.is_not(None), last < cutoff)
        return and_(last.is_not(None), last >= cutoff)
    return build


def _overdue_sql(ctx: Context, params: dict):
    """No order for longer than the customer's own mean interval between orders times a factor."""
    count = ctx.agg(Agg("orders", "count"))
    first, last = ctx.agg(Agg("orders", "first")), ctx.agg(Agg("orders", "last"))
    today = ctx.today_literal()
    usual = ctx.days(last, first) / cast(count - 1, Float)
    return and_(count >= max(2, int(params["min_orders"])), ctx.days(today, last) > usual * float(params["factor"]))


def _deal_won_sql(ctx: Context, params: dict):
    tables = db.metadata.tables
    deals, links, stages = tables["deals"], tables["deal_contacts"], tables["pipeline_stages"]
    c = ctx.contact
    statement = (select(1).select_from(links.join(deals, and_(deals.c.id == links.c.deal_id,
                                                              deals.c.tenant_id == links.c.tenant_id))
                                       .join(stages, and_(stages.c.id == deals.c.stage_id,
                                                          stages.c.tenant_id == deals.c.tenant_id)))
                 .where(links.c.tenant_id == c.c.tenant_id, links.c.contact_id == c.c.id, stages.c.outcome == "won"))
    since = _since(ctx, params)
    if since is not None:
        statement = statement.where(deals.c.closed_on >= since)
    return exists(statement)


DAYS_WINDOW = Param("days", _l("within the last … days (empty: ever)"), "integer", required=False, minimum=1)

BUILTIN: tuple[ConditionType, ...] = (
    ConditionType("field", _l("A field of the customer"), (
        Param("field", _l("Field"), "field"), Param("op", _l("Operator"), "operator"),
        Param("value", _l("Value"), "value", required=False)), _field_sql, check=_check_field),
    ConditionType("order_count", _l("Number of orders"), (
        Param("compare", _l("Comparison"), "choice", tuple(COMPARE_AMOUNT.items()), "at_least"),
        Param("count", _l("Orders"), "integer", default=2, minimum=0), DAYS_WINDOW), _order_count_sql),
    ConditionType("order_total", _l("Total spent on orders"), (
        Param("compare", _l("Comparison"), "choice", tuple(COMPARE_AMOUNT.items()), "at_least"),
        Param("amount", _l("Amount"), "number", minimum=0), DAYS_WINDOW), _order_total_sql),
    ConditionType("days_since_order", _l("Days since the last order"), (
        Param("compare", _l("Comparison"), "choice", tuple(COMPARE_DAYS.items()), "more_than"),
        Param("days", _l("Days"), "integer", minimum=0)), _days_since_sql("orders")),
    ConditionType("days_since_activity", _l("Days since the last call, meeting or note"), (
        Param("compare", _l("Comparison"), "choice", tuple(COMPARE_DAYS.items()), "more_than"),
        Param("days", _l("Days"), "integer", minimum=0)), _days_since_sql("activities")),
    ConditionType("overdue_vs_usual", _l("No order for longer than the customer's usual interval"), (
        Param("factor", _l("times the usual interval"), "number", default=2, minimum=1),
        Param("min_orders", _l("for customers with at least … orders"), "integer", default=3, minimum=2)),
        _overdue_sql,
        help=_l("The usual interval is the customer's own mean time between orders.")),
)
DEAL_WON = ConditionType("deal_won", _l("Won a deal"), (DAYS_WINDOW,), _deal_won_sql)


def _plugin_type(plugin: str, item: dict) -> ConditionType:
    params = tuple(Param(p["name"], p.get("label", p["name"]), p.get("type", "number"),
                         tuple(tuple(c) for c in p.get("choices", ())), p.get("default"),
                         p.get("required", True), p.get("minimum")) for p in item.get("params", ()))
    plugin_sql = item["sql"]
    return ConditionType(item["key"], item.get("label", item["key"]), params,
                         lambda ctx, values: plugin_sql(ctx.contact, values, ctx.today), plugin=plugin)


def condition_types() -> dict[str, ConditionType]:
    """Every condition type the workspace in context can use: built-in ones, a won deal when the
    sales module is on, and those of its enabled plugins (hook lifecycle_conditions)."""
    from saas.plugin_api import current_workspace
    from saas.plugins import enabled_plugins, platform

    types = {t.key: t for t in BUILTIN}
    workspace = current_workspace()
    if workspace is None:
        return types
    if "deals" in db.metadata.tables and "sales" in enabled_plugins(workspace):
        types[DEAL_WON.key] = DEAL_WON
    for plugin, items in _plugin_conditions(workspace, platform()):
        for item in items or ():
            if isinstance(item, dict) and item.get("key") and item["key"] not in types and callable(item.get("sql")):
                types[item["key"]] = _plugin_type(plugin, item)
    return types


def _plugin_conditions(workspace, platform) -> list[tuple[str, list]]:
    from saas.plugins import enabled_plugins

    # One plugin at a time, so each condition knows whose it is (and a plugin that raises is skipped).
    out = []
    for name in enabled_plugins(workspace):
        for result in platform.call("lifecycle_conditions", [name], workspace=workspace):
            out.append((name, result))
    return out


def clean_condition(raw: dict, types: dict[str, ConditionType] | None = None) -> dict:
    """One condition from the editor, checked: InputError keyed by parameter ("type" for the type)."""
    types = types if types is not None else condition_types()
    ctype = types.get(raw.get("type") or "")
    if ctype is None:
        raise InputError({"type": _("Choose what to check.")})
    return clean_params(ctype, raw)


def condition_sql(ctx: Context, cond: dict, types: dict[str, ConditionType]):
    """The SQL of one stored condition; a type no longer offered (plugin off) holds for nobody."""
    ctype = types.get(cond.get("type"))
    if ctype is None:
        return literal(False)
    try:
        return ctype.sql(ctx, cond)
    except (InputError, KeyError, TypeError, ValueError):
        # A condition made invalid by a later change (a field's type changed): it holds for nobody.
        return literal(False)

