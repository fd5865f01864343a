"""The plans Orchard sells, as configuration: limits, trial, prices per interval and currency.

Prices are in the currency's minor unit (cents, fen). Each (plan, interval, currency) is one
recurring Stripe price whose id is derived from the names (`orchard-pro-month-usd`), so the
same configuration drives Checkout, the webhooks (price id back to plan) and the operator's
MRR report. `saas billing sync-prices` creates the prices in Stripe.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

INTERVALS = ("month", "year")
CURRENCIES = ("usd", "cny")
CURRENCY_SYMBOLS = {"usd": "$", "cny": "¥"}

# The built-in modules; a plan allows some of them (None: every module).
MODULES = ("core", "sales", "service", "loyalty", "analytics")


@dataclass(frozen=True)
class Limits:
    """What a workspace may hold on a plan; None means unlimited."""

    seats: int | None
    records: int | None
    plugins: int | None
    api_per_minute: int
    modules: frozenset[str] | None = None


@dataclass(frozen=True)
class Plan:
    slug: str
    name: object  # a lazy translated string
    description: object
    limits: Limits
    trial_days: int = 0
    # (interval, currency) -> amount in the minor unit
    prices: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def is_paid(self) -> bool:
        return bool(self.prices)

    def price(self, interval: str, currency: str) -> int:
        """The amount of one billing period, in the currency's minor unit (0 for Free)."""
        return self.prices.get((interval, currency), 0)

    def monthly_amount(self, interval: str | None, currency: str | None) -> float:
        """What the plan earns per month at that interval and currency (MRR contribution)."""
        if not interval or not currency:
            return 0.0
        amount = self.price(interval, currency)
        return amount / 12 if interval == "year" else float(amount)


FREE = Plan(
    slug="free",
    name=_l("Free"),
    description=_l("For trying Orchard with a small team."),
    limits=Limits(seats=3, records=1_000, plugins=1, api_per_minute=60, modules=frozenset({"core"})),
)

STARTER = Plan(
    slug="starter",
    name=_l("Starter"),
    description=_l("For a growing sales and service team."),
    limits=Limits(seats=10, records=25_000, plugins=3, api_per_minute=300,
                  modules=frozenset({"core", "sales", "service"})),
    trial_days=14,
    prices={("month", "usd"): 2_900, ("year", "usd"): 29_000,
            ("month", "cny"): 19_900, ("year", "cny"): 199_000},
)

PRO = Plan(
    slug="pro",
    name=_l("Pro"),
    description=_l("Every module, unlimited plugins, room to grow."),
    limits=Limits(seats=50, records=250_000, plugins=None, api_per_minute=1_200, modules=None),
    trial_days=14,
    prices={("month", "usd"): 9_900, ("year", "usd"): 99_000,
            ("month", "cny"): 69_900, ("year", "cny"): 699_000},
)

PLANS: dict[str, Plan] = {plan.slug: plan for plan in (FREE, STARTER, PRO)}
PRICE_PREFIX = "orchard"


def get_plan(slug: str | None) -> Plan:
    """The plan with this slug; an unknown slug (a plan since retired) gives Free."""
    return PLANS.get(slug or "", FREE)


def price_id(plan: Plan, interval: str, currency: str) -> str:
    """The Stripe price (plan) id of one plan at one interval and currency."""
    return f"{PRICE_PREFIX}-{plan.slug}-{interval}-{currency}"


def parse_price_id(value: str | None) -> tuple[Plan, str, str] | None:
    """(plan, interval, currency) of one of our price ids, or None for anything else."""
    parts = (value or "").split("-")
    if len(parts) != 4 or parts[0] != PRICE_PREFIX:
        return None
    _prefix, slug, interval, currency = parts
    plan = PLANS.get(slug)
    if plan is None or (interval, currency) not in plan.prices:
        return None
    return plan, interval, currency


def paid_prices() -> list[tuple[Plan, str, str]]:
    """Every (plan, interval, currency) that has a Stripe price."""
    return [(plan, interval, currency) for plan in PLANS.values() for (interval, currency) in plan.prices]


def format_amount(amount: float, currency: str) -> str:
    """An amount in minor units as the page shows it: $29, ¥199, $24.17."""
    major = amount / 100
    text = f"{major:,.0f}" if major == int(major) else f"{major:,.2f}"
    return f"{CURRENCY_SYMBOLS.get(currency, currency.upper() + ' ')}{text}"
