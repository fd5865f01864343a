"""The billing module: plans, trials and subscriptions through Stripe, and the limits of each plan.

- plans.py: Free, Starter, Pro as configuration (limits, trial days, USD and CNY prices).
- limits.py: the public check other modules call: `require_capacity(resource, adding=1)`,
  `require_writable(resource)`, `require_module(name)`, `usage(workspace)`, `api_rate_limit()`,
  `register_usage_counter(app, resource, counter)`. A refusal is PlanLimitError, an InputError
  with code "plan_limit" and status 402.
- subscriptions.py / webhooks.py / stripe_api.py: Checkout for new subscriptions, price changes
  of live ones, cancel at period end, the Billing Portal, and the webhook at
  POST /billing/stripe/webhook (signed with STRIPE_WEBHOOK_SECRET; each event id handled once).
- accounts.py: the state of a workspace's account, the plan in force (Free after a lapse or a
  cancelation, nothing deleted), the past-due grace period (BILLING_GRACE_DAYS, default 7).
- Without STRIPE_API_KEY billing is manual: `saas billing set-plan SLUG PLAN`; `saas billing
  report` lists every workspace's plan, status and MRR; `saas billing sync-prices` creates the
  Stripe products and prices of the configuration.
"""
