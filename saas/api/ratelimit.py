"""Rate limits per token, by the workspace's plan (Flask-Limiter's storage: Redis when
REDIS_URL is set, memory otherwise). Keys carry the workspace and the token id.

The rate comes from, in order: the API_RATE_LIMIT setting (an operator's override for every
workspace), the billing module's plan limits (`api_rate_limit()`), else DEFAULT_RATE.
"""
from __future__ import annotations

import math
import time

from flask import current_app, g
from flask_babel import gettext as _
from limits import parse

from saas.api.errors import ApiError
from saas.extensions import limiter

DEFAULT_RATE = "600 per minute"


def rate_for_workspace() -> str:
    """The API rate of the workspace in context, as a limit string ("300 per minute")."""
    override = current_app.config.get("API_RATE_LIMIT")
    if override:
        return override
    try:
        from saas.modules.billing.limits import api_rate_limit
    except ImportError:  # billing not installed: one default for everyone
        return DEFAULT_RATE
    return api_rate_limit()


def check_rate_limit(token) -> dict[str, str]:
    """Count this request against the token's rate; raise 429 with Retry-After when over it.

    Returns the X-RateLimit-* headers to add to the response."""
    item = parse(rate_for_workspace())
    keys = ("api", str(token.tenant_id), str(token.id))
    strategy = limiter.limiter
    allowed = strategy.hit(item, *keys)
    stats = strategy.get_window_stats(item, *keys)
    reset_in = max(1, math.ceil(stats.reset_time - time.time()))
    headers = {"X-RateLimit-Limit": str(item.amount), "X-RateLimit-Remaining": str(max(0, stats.remaining)),
               "X-RateLimit-Reset": str(reset_in)}
    if not allowed:
        raise ApiError(429, "rate_limited",
                       _("Too many requests for this token: at most %(rate)s. Try again in %(seconds)s s.",
                         rate=str(item), seconds=reset_in),
                       headers={**headers, "Retry-After": str(reset_in)})
    g.rate_limit_headers = headers
    return headers
