"""Request limits per organisation and per access token, counted in Django's cache.

Fixed one-minute windows: the counter ``rl:<scope>:<id>:<minute>`` is created with ``cache.add`` and
increased with ``cache.incr`` (both atomic in Redis, so several server processes share one count; the
embedded default's local-memory cache serves its single process). A window allows at most the limit; a
burst across a window boundary can reach twice the limit within a minute, which is the usual trade of fixed
windows for one cache operation per request. ``0`` turns a limit off. Exceeding answers 429
``RATE_LIMITED`` with ``Retry-After`` (seconds until the window ends); the access log records the 429.
"""
from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60


def _key(scope: str, ident, window: int) -> str:
    return f"rl:{scope}:{ident}:{window}"


def hit(scope: str, ident, now: float | None = None) -> int:
    """Count one request of ``ident`` in the current window; the count so far (this one included)."""
    window = int((now or time.time()) // WINDOW_SECONDS)
    key = _key(scope, ident, window)
    if cache.add(key, 1, timeout=WINDOW_SECONDS * 2):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


def current_count(scope: str, ident) -> int:
    return cache.get(_key(scope, ident, int(time.time() // WINDOW_SECONDS)), 0)


def seconds_left(now: float | None = None) -> int:
    now = now or time.time()
    return max(1, math.ceil(WINDOW_SECONDS - now % WINDOW_SECONDS))


class RequestRateThrottle(BaseThrottle):
    """DRF throttle for token-authenticated requests: the organisation's limit, then the token's."""

    def allow_request(self, request, view) -> bool:
        token = getattr(request, "auth", None)
        organization_id = getattr(token, "organization_id", None)
        if token is None or organization_id is None:
            return True  # unauthenticated requests are refused before they cost anything
        for scope, ident, limit, who in (
            ("org", organization_id, settings.RATE_LIMIT_ORG_PER_MINUTE, "organisation"),
            ("token", token.id, settings.RATE_LIMIT_TOKEN_PER_MINUTE, "access token"),
        ):
            if limit and hit(scope, ident) > limit:
                logger.info("rate limited: %s %s over %s/min", who, ident, limit)
                raise Throttled(seconds_left(), detail=f"Rate limit exceeded: this {who} may make {limit} "
                                "requests per minute")
        return True

    def wait(self) -> float:
        return seconds_left()
