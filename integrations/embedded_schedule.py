"""The periodic work of the embedded default (no broker, no ``celery beat``), run in the server process.

A daemon thread started by gunicorn's worker hook (deploy/gunicorn.conf.py) when ``CELERY_BROKER_URL`` is
unset: it runs the entries of ``CELERY_BEAT_SCHEDULE`` (sweepers and purges) at their intervals and, every
few seconds, attempts outbound deliveries whose next attempt is due (a broker would hold their retry
countdowns). With a broker, ``celery beat`` and the worker do all of this and the thread is not started.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

from integrations.outbound.services import delivery

logger = logging.getLogger(__name__)
DUE_CHECK_SECONDS = 5.0
_started = threading.Event()


@dataclass
class Entry:
    task: str
    every: float
    next_run: float = 0.0


def entries() -> list[Entry]:
    out = []
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        schedule = entry["schedule"]
        every = schedule.total_seconds() if hasattr(schedule, "total_seconds") else float(schedule)
        out.append(Entry(entry["task"], every))
    return out


def task(name: str):
    """A registered task by name; the apps' task modules that only Celery's autodiscovery imports (a worker
    does at start) are imported on first need."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def run_due(now: datetime | None = None) -> int:
    """Attempt the outbound deliveries due at ``now``; how many."""
    return delivery.attempt_due_deliveries(now)


def _loop(stop: threading.Event) -> None:
    schedule = entries()
    started = time.monotonic()
    for entry in schedule:
        entry.next_run = started + min(entry.every, 60.0)  # the first sweep soon after start, not at once
    while not stop.wait(DUE_CHECK_SECONDS):
        try:
            run_due()
            now = time.monotonic()
            for entry in schedule:
                if now >= entry.next_run:
                    entry.next_run = now + entry.every
                    task(entry.task).apply()
        except Exception:  # a failing round must not end the schedule
            logger.exception("embedded schedule: a periodic task failed")
        finally:
            close_old_connections()


def start() -> threading.Event | None:
    """Start the schedule thread once per process (only without a broker); returns its stop event."""
    if settings.CELERY_BROKER_URL or _started.is_set():
        return None
    _started.set()
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop,), name="embedded-schedule", daemon=True).start()
    logger.info("embedded schedule started (no broker): sweepers, purges and due outbound retries")
    return stop
