"""What ``/healthz`` reports besides the database: the Celery broker and whether a worker answers.

Without a broker (the embedded default) tasks run in-process: both are ``in-process``. With one, the broker
is ``ok`` when a connection opens within a second or two, and the worker is ``alive`` when at least one
answers a ping within a second (the answer is cached a few seconds so frequent probes stay cheap).
"""
from __future__ import annotations

import threading
import time

from erpintegration.celery import app

PING_TIMEOUT_SECONDS = 1.0
CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def uses_broker() -> bool:
    """What the Celery app does (its configuration comes from the CELERY_* settings)."""
    return bool(app.conf.broker_url) and not app.conf.task_always_eager


def broker_status() -> str:
    if not uses_broker():
        return "in-process"
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2, interval_start=0)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return "unavailable"
    return "ok"


def workers() -> dict:
    """``{"worker": "alive"|"none"|"in-process", "workers": [names]}``."""
    if not uses_broker():
        return {"worker": "in-process", "workers": []}
    with _lock:
        cached = _cache.get("workers")
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    try:
        replies = app.control.ping(timeout=PING_TIMEOUT_SECONDS) or []
    except Exception:  # noqa: BLE001 - an unreachable broker means no worker can be seen
        replies = []
    names = sorted(name for reply in replies for name in reply)
    result = {"worker": "alive" if names else "none", "workers": names}
    with _lock:
        _cache["workers"] = (time.monotonic(), result)
    return result


def forget() -> None:
    """Drop the cached ping (tests)."""
    with _lock:
        _cache.clear()
