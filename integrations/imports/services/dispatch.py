"""Starting a phase's background run once the transaction that started it commits.

With a broker the run is a Celery task on a worker. On the embedded default (no broker, tasks eager) a
run of 100,000 rows must not hold the HTTP request, so it runs on a daemon thread of the serving process
(``IMPORTS_RUN_IN_THREAD``, on by default; tests turn it off to run inline and stay deterministic). A
thread lost with its process is caught by the watchdog.
"""
from __future__ import annotations

import threading

from django.conf import settings
from django.db import connections, transaction


def start(task, import_id: str, token: str) -> None:
    if not task.app.conf.task_always_eager:
        transaction.on_commit(lambda: task.delay(import_id, token))
    elif getattr(settings, "IMPORTS_RUN_IN_THREAD", True):
        transaction.on_commit(lambda: threading.Thread(
            target=_run_in_thread, args=(task, import_id, token), daemon=True, name=f"import-{import_id}").start())
    else:
        transaction.on_commit(lambda: task.run(import_id, token))


def _run_in_thread(task, import_id: str, token: str) -> None:
    try:
        task.run(import_id, token)
    finally:
        connections.close_all()  # this thread ends: its connections must not outlive it
