"""Subscribing through Stripe: choosing a plan, cancelling, and keeping our copy of the state.

Our copy follows Stripe's subscription object (`apply_subscription`); it is updated from the
answers of our own API calls at once, and from webhooks (see webhooks.py) for what happens on
Stripe's side (payments, renewals, cancelations by Stripe)."""
from __future__ import annotations

import logging

from flask_babel import gettext as _

from saas.errors import InputError
from saas.modules.billing import stripe_api
from saas.modules.billing.accounts import account_for, aware, from_timestamp, stripe_enabled
from saas.modules.billing.models import LIVE_STATUSES, BillingAccount
from saas.modules.billing.plans import CURRENCIES, FREE, INTERVALS, PLANS, parse_price_id
from saas.tenants.models import Membership, Workspace, utcnow

log = logging.getLogger(__name__)


def _require_stripe() -> None:
    if not stripe_enabled():
        raise InputError(message=_("Billing is managed by the operator of this Orchard."), code="manual_billing",
                         status=409)


def _period_end(subscription: dict) -> int | None:
    # Newer Stripe API versions keep the period on the subscription item.
    items = (subscription.get("items") or {}).get("data") or [{}]
    return subscription.get("current_period_end") or items[0].get("current_period_end")


def _subscription_price(subscription: dict) -> str | None:
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        return None
    item = items[0]
    price = item.get("price") or item.get("plan") or {}
    return price.get("id") if isinstance(price, dict) else price


def apply_subscription(account: BillingAccount, subscription: dict, seen_at: int | None = None) -> str:
    """Bring our copy in line with Stripe's subscription object; returns what happened.

    The object is Stripe's current state (or a snapshot no older than our last one), so
    applying it twice, or after a newer one, changes nothing further."""
    workspace = account.workspace
    if (account.stripe_subscription_id and subscription["id"] != account.stripe_subscription_id
            and account.status in LIVE_STATUSES and subscription.get("status") not in LIVE_STATUSES):
        return "ignored_other_subscription"
    status = subscription.get("status") or "incomplete"
    account.stripe_subscription_id = subscription["id"]
    if subscription.get("customer") and not account.stripe_customer_id:
        account.stripe_customer_id = subscription["customer"]
    parsed = parse_price_id(_subscription_price(subscription))
    if parsed is not None:
        plan, account.interval, account.currency = parsed
        if status != "canceled":
            workspace.plan = plan.slug
    elif status in LIVE_STATUSES:
        log.warning("subscription %s has a price outside the plans configuration", subscription["id"])
    account.current_period_end = from_timestamp(_period_end(subscription))
    account.trial_end = from_timestamp(subscription.get("trial_end"))
    account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    if subscription.get("trial_end") or status == "trialing":
        account.trial_used = True
    if status == "past_due":
        if account.past_due_since is None:
            # The grace period runs from when Stripe reported the failure (the event's time).
            account.past_due_since = from_timestamp(seen_at) or utcnow()
    else:
        account.past_due_since = None
    if status == "canceled":
        # Free limits from now on; every record stays (beyond the limits, read-only).
        workspace.plan = FREE.slug
        account.canceled_at = from_timestamp(subscription.get("ended_at") or subscription.get("canceled_at")) or utcnow()
        account.cancel_at_period_end = False
    account.status = status
    return f"status_{status}"


def choose_plan(actor: Membership, slug: str, interval: str, currency: str, *,
                success_url: str, cancel_url: str, locale: str) -> str | None:
    """Move the workspace to a plan: Checkout for a new subscription (returns its URL), a price
    change for a live one, cancelation at period end for Free. The caller commits."""
    _require_stripe()
    workspace = actor.workspace
    plan = PLANS.get(slug)
    if plan is None:
        raise InputError({"plan": _("Choose a plan from the list.")})
    if interval not in INTERVALS:
        raise InputError({"interval": _("Choose monthly or yearly billing.")})
    if currency not in CURRENCIES:
        raise InputError({"currency": _("Choose a currency from the list.")})
    account = account_for(workspace, create=True)
    if not plan.is_paid:
        if account.is_live:
            cancel_at_period_end(workspace)
        return None
    if account.is_live:
        if account.currency and currency != account.currency:
            raise InputError({"currency": _("This subscription is billed in %(currency)s; the currency can change "
                                            "only with a new subscription.", currency=account.currency.upper())})
        if workspace.plan == plan.slug and account.interval == interval and not account.cancel_at_period_end:
            raise InputError({"plan": _("The workspace is on this plan already.")})
        current = stripe_api.retrieve_subscription(account.stripe_subscription_id)
        apply_subscription(account, stripe_api.change_subscription_price(current, plan, interval, currency))
        return None
    if not account.stripe_customer_id:
        account.stripe_customer_id = stripe_api.create_customer(workspace.id, workspace.name, actor.user.email)
    trial_days = 0 if account.trial_used else plan.trial_days
    return stripe_api.create_checkout_session(
        customer_id=account.stripe_customer_id, workspace_id=workspace.id, plan=plan, interval=interval,
        currency=currency, trial_days=trial_days, success_url=success_url, cancel_url=cancel_url, locale=locale)


def cancel_at_period_end(workspace: Workspace) -> BillingAccount:
    """Stop renewing: the plan stays until the paid period ends, then Free limits apply."""
    _require_stripe()
    account = account_for(workspace)
    if not account.is_live:
        raise InputError(message=_("There is no subscription to cancel."), code="no_subscription", status=409)
    apply_subscription(account, stripe_api.set_cancel_at_period_end(account.stripe_subscription_id, True))
    return account


def resume(workspace: Workspace) -> BillingAccount:
    """Take back a cancelation that has not taken effect yet."""
    _require_stripe()
    account = account_for(workspace)
    if not account.is_live or not account.cancel_at_period_end:
        raise InputError(message=_("The subscription is not set to cancel."), code="no_subscription", status=409)
    apply_subscription(account, stripe_api.set_cancel_at_period_end(account.stripe_subscription_id, False))
    return account


def portal_url(workspace: Workspace, *, return_url: str, locale: str) -> str:
    """A Billing Portal session for the workspace's Stripe customer."""
    _require_stripe()
    account = account_for(workspace)
    if not account.stripe_customer_id:
        raise InputError(message=_("Subscribe to a plan first: payment methods and invoices belong to a "
                                   "subscription."), code="no_customer", status=409)
    return stripe_api.create_portal_session(customer_id=account.stripe_customer_id, return_url=return_url,
                                            locale=locale)


def days_left_in_trial(account: BillingAccount) -> int | None:
    """Whole days until a trial ends, for the page."""
    if account.status != "trialing" or account.trial_end is None:
        return None
    return max(0, (aware(account.trial_end) - utcnow()).days)
