"""The billing page of a workspace, and the Stripe webhook endpoint."""
from __future__ import annotations

import logging

import stripe
from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField

from saas.errors import InputError
from saas.extensions import db
from saas.modules.billing import limits, subscriptions, webhooks
from saas.modules.billing.accounts import account_for, effective_plan, grace_ends_at, stripe_enabled
from saas.modules.billing.plans import CURRENCIES, INTERVALS, PLANS, format_amount
from saas.tenants.request import permission_required
from saas.web.i18n import current_locale_code
from saas.web.urls import external_url

log = logging.getLogger(__name__)

bp = Blueprint("billing", __name__, template_folder="templates")
webhook_bp = Blueprint("billing_webhooks", __name__)

# Stripe's names for our UI languages (Checkout and the Billing Portal).
STRIPE_LOCALES = {"en": "en", "zh_Hans": "zh", "zh_Hant": "zh-TW"}


class ChoosePlanForm(FlaskForm):
    plan = HiddenField()
    interval = HiddenField()
    currency = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes the subscription (CSRF only)."""


def _display_choice() -> tuple[str, str]:
    account = account_for(g.workspace)
    interval = request.args.get("interval") or account.interval or "month"
    default_currency = "cny" if current_locale_code().startswith("zh") else "usd"
    currency = account.currency if account.is_live else None
    currency = request.args.get("currency") or currency or default_currency
    return (interval if interval in INTERVALS else "month", currency if currency in CURRENCIES else "usd")


@bp.route("/")
@permission_required("billing.manage")
def page():
    account = account_for(g.workspace)
    interval, currency = _display_choice()
    return render_template(
        "billing/page.html", account=account, plans=PLANS.values(), current_plan=PLANS.get(g.workspace.plan),
        effective=effective_plan(g.workspace, account), usage=limits.usage(g.workspace),
        stripe_mode=stripe_enabled(), interval=interval, currency=currency, intervals=INTERVALS,
        currencies=CURRENCIES, format_amount=format_amount, grace_ends=grace_ends_at(account),
        trial_days_left=subscriptions.days_left_in_trial(account),
    )


def _stripe_failed(exc: stripe.StripeError):
    db.session.rollback()
    log.warning("stripe call failed for workspace %s: %s", g.workspace.id, exc)
    flash(_("Stripe could not be reached or refused the request. Nothing changed; please try again."), "error")
    return redirect(url_for(".page"))


@bp.route("/checkout", methods=["POST"])
@permission_required("billing.manage")
def checkout():
    form = ChoosePlanForm()
    if not form.validate_on_submit():
        return redirect(url_for(".page"))
    locale = STRIPE_LOCALES[current_locale_code()]
    try:
        url = subscriptions.choose_plan(
            g.membership, form.plan.data, form.interval.data, form.currency.data,
            success_url=external_url("billing.page", workspace_slug=g.workspace.slug, checkout="done"),
            cancel_url=external_url("billing.page", workspace_slug=g.workspace.slug),
            locale=locale)
        db.session.commit()
    except InputError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".page"))
    except stripe.StripeError as exc:
        return _stripe_failed(exc)
    if url:
        return redirect(url, code=303)
    flash(_("The plan is now %(plan)s.", plan=PLANS[g.workspace.plan].name)
          if not account_for(g.workspace).cancel_at_period_end
          else _("The subscription ends with the current period; then the Free plan applies."), "success")
    return redirect(url_for(".page"))


@bp.route("/portal", methods=["POST"])
@permission_required("billing.manage")
def portal():
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".page"))
    try:
        url = subscriptions.portal_url(
            g.workspace, return_url=external_url("billing.page", workspace_slug=g.workspace.slug),
            locale=STRIPE_LOCALES[current_locale_code()])
    except InputError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".page"))
    except stripe.StripeError as exc:
        return _stripe_failed(exc)
    return redirect(url, code=303)


@bp.route("/cancel", methods=["POST"])
@permission_required("billing.manage")
def cancel():
    return _subscription_action(subscriptions.cancel_at_period_end,
                                _("The subscription ends with the current period; then the Free plan applies."))


@bp.route("/resume", methods=["POST"])
@permission_required("billing.manage")
def resume():
    return _subscription_action(subscriptions.resume, _("The subscription renews again."))


def _subscription_action(action, done_message: str):
    """Run a change of the subscription from a button: commit and say so, or say what went wrong."""
    if ActionForm().validate_on_submit():
        try:
            action(g.workspace)
            db.session.commit()
            flash(done_message, "success")
        except InputError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        except stripe.StripeError as exc:
            return _stripe_failed(exc)
    return redirect(url_for(".page"))


def _error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message, "fields": {}}}), status


@webhook_bp.route("/billing/stripe/webhook", methods=["POST"])
def stripe_webhook():
    """Stripe's events: 200 once handled (or known), 400 for a bad signature, 5xx to be sent again."""
    if not current_app.config.get("STRIPE_WEBHOOK_SECRET"):
        return _error(404, "not_configured", "Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).")
    try:
        event = webhooks.verify(request.get_data(), request.headers.get("Stripe-Signature"))
    except webhooks.BadSignature as exc:
        log.warning("stripe webhook refused: %s", exc)
        return _error(400, "bad_signature", "The Stripe-Signature header does not match this payload.")
    try:
        outcome = webhooks.handle_event(event)
    except stripe.StripeError as exc:
        db.session.rollback()
        log.warning("stripe event %s not handled, Stripe will send it again: %s", event["id"], exc)
        return _error(502, "stripe_unavailable", "Stripe could not be reached; send the event again.")
    return jsonify({"received": True, "outcome": outcome})
