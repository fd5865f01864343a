"""The plans configuration: three plans, limits, trials, prices in USD and CNY."""
from saas.modules.billing.plans import (CURRENCIES, FREE, INTERVALS, PLANS, format_amount, get_plan,
                                        paid_prices, parse_price_id, price_id)
from saas.plugins import hooks


def test_free_starter_and_pro_with_limits_trials_and_prices():
    assert list(PLANS) == ["free", "starter", "pro"]
    assert not FREE.is_paid and FREE.trial_days == 0
    for slug in ("starter", "pro"):
        plan = PLANS[slug]
        assert plan.trial_days > 0
        assert {(i, c) for i in INTERVALS for c in CURRENCIES} == set(plan.prices)
        for currency in CURRENCIES:
            assert plan.price("year", currency) < 12 * plan.price("month", currency), "yearly is cheaper"
    free, starter, pro = PLANS.values()
    assert free.limits.seats < starter.limits.seats < pro.limits.seats
    assert free.limits.records < starter.limits.records < pro.limits.records
    assert free.limits.api_per_minute < starter.limits.api_per_minute < pro.limits.api_per_minute
    assert pro.limits.modules is None and "core" in free.limits.modules


def test_price_ids_round_trip_and_unknown_ones_are_refused():
    assert len(paid_prices()) == 8
    for plan, interval, currency in paid_prices():
        assert parse_price_id(price_id(plan, interval, currency)) == (plan, interval, currency)
    for other in (None, "", "price_123", "orchard-free-month-usd", "orchard-pro-week-usd", "orchard-gold-month-usd"):
        assert parse_price_id(other) is None
    assert get_plan("retired") is FREE


def test_amounts_and_mrr_contribution():
    pro = PLANS["pro"]
    assert format_amount(pro.price("month", "usd"), "usd") == "$99"
    assert format_amount(pro.price("month", "cny"), "cny") == "¥699"
    assert pro.monthly_amount("year", "usd") == pro.price("year", "usd") / 12
    assert pro.monthly_amount(None, None) == 0


def test_plugins_needing_a_plan_follow_the_plan_order(app):
    includes = hooks().plan_includes
    assert includes(workspace_plan="pro", required_plan="starter") is True
    assert includes(workspace_plan="starter", required_plan="starter") is True
    assert includes(workspace_plan="free", required_plan="starter") is False
