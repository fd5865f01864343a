"""Hook implementations of the billing module (see saas/plugins.py for the hook specifications)."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import lazy_gettext as _l

from saas.modules.billing import models  # noqa: F401  (the billing tables, for Alembic and the ORM)
from saas.plugins import hookimpl

MANIFEST = {
    "name": "billing",
    "title": _l("Billing"),
    "version": "1.0.0",
    "publisher": "Orchard",
    "description": _l("Plans, trials and subscriptions through Stripe, and the limits of each plan."),
    "plan": "free",
    "always_on": True,
}


@hookimpl
def register_blueprints(app: Flask) -> None:
    from saas.extensions import csrf
    from saas.modules.billing import settings
    from saas.modules.billing.commands import billing
    from saas.modules.billing.limits import count_plugins, register_usage_counter
    from saas.modules.billing.views import bp, webhook_bp
    from saas.tenants.request import WORKSPACE_PREFIX

    settings.configure(app)
    register_usage_counter(app, "plugins", count_plugins)
    app.register_blueprint(bp, url_prefix=f"{WORKSPACE_PREFIX}/settings/billing")
    # Stripe signs its requests instead of sending a CSRF token.
    csrf.exempt(webhook_bp)
    app.register_blueprint(webhook_bp)
    app.cli.add_command(billing)
    app.context_processor(_banner_context)


def _banner_context() -> dict:
    workspace = g.get("workspace")
    if workspace is None:
        return {"billing_banner": None}
    from saas.modules.billing.accounts import banner

    return {"billing_banner": banner(workspace)}


@hookimpl
def navigation_items(workspace) -> list[dict]:
    from saas.tenants.request import can

    if not can("billing.manage"):
        return []
    return [{"endpoint": "billing.page", "label": _l("Billing"), "icon": "credit-card"}]


@hookimpl
def workspace_created(workspace) -> None:
    from saas.modules.billing.accounts import account_for

    account_for(workspace, create=True)


@hookimpl
def plan_includes(workspace_plan: str, required_plan: str) -> bool | None:
    """A plan includes what every cheaper plan includes (free < starter < pro)."""
    from saas.modules.billing.plans import PLANS

    order = list(PLANS)
    if workspace_plan not in order or required_plan not in order:
        return None
    return order.index(workspace_plan) >= order.index(required_plan)


@hookimpl
def demo_data(workspace, rng) -> None:
    """The demo company pays for Pro (by hand: the demo runs without Stripe), so its team fits."""
    from saas.extensions import db
    from saas.modules.billing.accounts import set_plan

    set_plan(workspace, "pro")
    db.session.flush()  # inside the workspace's context: the caller commits after leaving it
