"""Celery tasks of imports: thin wrappers around ``services.runs`` (ids in, one service call)."""
from celery import shared_task

from integrations.imports.services import runs


@shared_task(name="integrations.imports.validate", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def validate_import(import_id: str, token: str) -> None:
    runs.validate(import_id, token)


@shared_task(name="integrations.imports.execute", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def execute_import(import_id: str, token: str) -> None:
    """Resumable: a redelivered message (worker killed) continues after the last completed batch."""
    runs.execute(import_id, token)


@shared_task(name="integrations.imports.watchdog", ignore_result=True)
def import_watchdog() -> int:
    return runs.watchdog()
