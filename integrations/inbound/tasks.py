"""Celery tasks of the inbound pipeline: thin wrappers (ids in, one service call, retry policy).

Each task is pinned to the name it had before the code moved into rooms (``integrations.tasks.*``), so
messages already queued and the beat schedule keep working. Services enqueue by these names
(``integrations.inbound.queue``), never by importing this module, so tasks → services stays one-way."""
from celery import shared_task

from integrations.inbound import queue
from integrations.inbound.services import accept, processing, replay_jobs, retention


@shared_task(
    name=queue.PROCESS_EVENTS,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=8,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    autoretry_for=(Exception,),
)
def process_events(self, event_id: str) -> int:
    """Apply every pending event of the integration of ``event_id`` up to it, in order."""
    return processing.process_events_through(event_id)


@shared_task(name="integrations.tasks.sweep_events", ignore_result=True)
def sweep_events() -> int:
    """Periodic: re-enqueue events stored but not finished after INBOUND_SWEEP_AFTER_SECONDS."""
    return accept.sweep_stale_events()


@shared_task(name="integrations.tasks.purge_inbound_events", ignore_result=True)
def purge_inbound_events() -> dict:
    """Daily: drop expired deduplication claims and finished events past INBOUND_EVENT_RETENTION_DAYS."""
    return retention.purge_inbound_history()


@shared_task(name=queue.RUN_REPLAY_JOB, ignore_result=True, time_limit=None, soft_time_limit=None)
def run_replay_job(job_id: str) -> None:
    """Replay all events matching a filter (the events page's "Replay all matching events"), counting progress."""
    replay_jobs.run_replay_job(job_id)
