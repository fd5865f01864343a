"""`saas billing`: set a plan by hand, report plans and revenue, create the Stripe prices."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from saas.errors import InputError
from saas.extensions import db


@click.group("billing")
def billing() -> None:
    """Plans, subscriptions and revenue."""


@billing.command("set-plan")
@click.argument("slug")
@click.argument("plan")
@click.option("--interval", default="month", show_default=True, help="month or year (for the MRR report).")
@click.option("--currency", default="usd", show_default=True, help="usd or cny (for the MRR report).")
@click.option("--force", is_flag=True, help="Set it even though Stripe manages billing.")
@with_appcontext
def set_plan(slug: str, plan: str, interval: str, currency: str, force: bool) -> None:
    """Put the workspace SLUG on PLAN (free, starter, pro): manual billing."""
    from saas.modules.billing import accounts
    from saas.tenants.context import tenant_context
    from saas.tenants.workspaces import workspace_by_slug

    workspace = workspace_by_slug(slug)
    if workspace is None:
        raise click.ClickException(f"no workspace with slug {slug!r}")
    try:
        with tenant_context(workspace.id):
            if accounts.stripe_enabled() and accounts.account_for(workspace).is_live and not force:
                raise click.ClickException(f"{slug} has a Stripe subscription; its events would override "
                                           "a plan set by hand (use --force).")
            accounts.set_plan(workspace, plan.lower(), interval.lower(), currency.lower())
            db.session.commit()
    except InputError as exc:
        db.session.rollback()
        raise click.ClickException("; ".join(str(v) for v in exc.fields.values()) or exc.message) from None
    click.echo(f"{slug} is on the {plan.lower()} plan.")


@billing.command("report")
@with_appcontext
def report() -> None:
    """Every workspace with its plan, status and monthly recurring revenue."""
    from saas.modules.billing.plans import format_amount
    from saas.modules.billing.report import mrr_by_currency, report as build

    rows = build()
    header = f"{'WORKSPACE':<24} {'PLAN':<8} {'STATUS':<20} {'LIMITS':<8} {'BILLED':<12} {'MRR':>12}"
    click.echo(header)
    for row in rows:
        billed = f"{row.interval}/{row.currency}" if row.interval and row.currency else "-"
        mrr = format_amount(row.mrr, row.currency) if row.mrr and row.currency else "0"
        click.echo(f"{row.slug:<24} {row.plan:<8} {row.status:<20} {row.limits_of:<8} {billed:<12} {mrr:>12}")
    totals = mrr_by_currency(rows)
    click.echo(f"{len(rows)} workspaces; MRR: " +
               (", ".join(format_amount(v, k) for k, v in sorted(totals.items())) if totals else "0"))


@billing.command("sync-prices")
@with_appcontext
def sync_prices() -> None:
    """Create the plans' products and prices in Stripe (safe to run again)."""
    from saas.modules.billing import stripe_api
    from saas.modules.billing.accounts import stripe_enabled

    if not stripe_enabled():
        raise click.ClickException("STRIPE_API_KEY is not set: billing is in manual mode.")
    for identifier, outcome in stripe_api.sync_prices():
        click.echo(f"{identifier}: {outcome}")
