"""Rate limits per token, by the workspace's plan (Flask-Limiter's storage: Redis when
REDIS_URL is set, memory otherwise). Keys carry the workspace and the token id. A moving window,
like the app's other limits; one Redis round trip per request (see RedisWindows).

The rate comes from, in order: the API_RATE_LIMIT setting (an operator's override for every
workspace), the billing module's plan limits (`api_rate_limit()`), else DEFAULT_RATE.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from functools import lru_cache

from flask import current_app, g
from flask_babel import gettext as _
from limits import RateLimitItem, parse
from limits.storage import RedisStorage

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
    item = _item(rate_for_workspace())
    key = item.key_for("api", str(token.tenant_id), str(token.id))
    allowed, oldest, used = _windows().hit(key, item.amount, item.get_expiry())
    reset_in = max(1, math.ceil(oldest + item.get_expiry() - time.time()))
    headers = {"X-RateLimit-Limit": str(item.amount), "X-RateLimit-Remaining": str(max(0, item.amount - used)),
               "X-RateLimit-Reset": str(reset_in)}
    if not allowed:
        raise ApiError(429, "rate_limited",
                       _("Too many requests for this token: at most %(rate)s. Try again in %(seconds)s s.",
                         rate=str(item), seconds=reset_in),
                       headers={**headers, "Retry-After": str(reset_in)})
    g.rate_limit_headers = headers
    return headers


@lru_cache(maxsize=64)
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


def _windows():
    """The moving windows of this app: in Flask-Limiter's Redis when it has one, else in process."""
    windows = current_app.extensions.get("saas_api_rate_windows")
    if windows is None:
        storage = limiter.storage
        windows = RedisWindows(storage) if isinstance(storage, RedisStorage) else LocalWindows()
        current_app.extensions["saas_api_rate_windows"] = windows
    return windows


class RedisWindows:
    """Moving windows kept as limits keeps them in Redis (a list of hit times, newest first, under
    the storage's key prefix), taken and counted in one round trip instead of limits' two."""

    SCRIPT = """
    local now, limit, expiry = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
    local key = KEYS[1]
    local taken = 0
    local entry = redis.call('lindex', key, limit - 1)
    if not (entry and tonumber(entry) >= now - expiry) then
        redis.call('lpush', key, ARGV[1])
        redis.call('ltrim', key, 0, limit - 1)
        redis.call('expire', key, expiry)
        taken = 1
    end
    -- the oldest hit still in the window: hits are newest first
    local low, high, found = 0, math.min(redis.call('llen', key), limit) - 1, nil
    while low <= high do
        local mid = math.floor((low + high) / 2)
        local value = tonumber(redis.call('lindex', key, mid))
        if value and value >= now - expiry then found = mid; low = mid + 1 else high = mid - 1 end
    end
    if found == nil then return {taken, ARGV[1], 0} end
    return {taken, redis.call('lindex', key, found), found + 1}
    """

    def __init__(self, storage: RedisStorage):
        self.storage = storage
        self.script = storage.get_connection().register_script(self.SCRIPT)

    def hit(self, key: str, limit: int, expiry: int) -> tuple[bool, float, int]:
        """(taken, time of the oldest hit in the window, hits in the window)."""
        taken, oldest, used = self.script([self.storage.prefixed_key(key)], [repr(time.time()), limit, expiry])
        return bool(taken), float(oldest), int(used)


class LocalWindows:
    """Moving windows in this process (no Redis: each worker counts its own, as Flask-Limiter's
    memory storage does), without that storage's expiry thread started every 10 ms."""

    SWEEP_EVERY = 10_000

    def __init__(self):
        self.hits: dict[str, tuple[deque, int]] = {}     # key -> (hit times, oldest first; expiry)
        self.lock = threading.Lock()
        self.count = 0

    def hit(self, key: str, limit: int, expiry: int) -> tuple[bool, float, int]:
        """(taken, time of the oldest hit in the window, hits in the window)."""
        now = time.time()
        with self.lock:
            times = self.hits.setdefault(key, (deque(), expiry))[0]
            while times and times[0] < now - expiry:
                times.popleft()
            taken = len(times) < limit
            if taken:
                times.append(now)
            self.count += 1
            if self.count % self.SWEEP_EVERY == 0:
                self.hits = {k: (t, e) for k, (t, e) in self.hits.items() if t and t[-1] >= now - e}
            return taken, (times[0] if times else now), len(times)
