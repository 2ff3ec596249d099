"""Celery tasks: thin wrappers (ids in, one service call, retry policy)."""
from celery import shared_task

from integrations.services import event_retention, inbound, processing, replay_jobs


@shared_task(
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


@shared_task(ignore_result=True)
def sweep_events() -> int:
    """Periodic: re-enqueue events stored but not finished after INBOUND_SWEEP_AFTER_SECONDS."""
    return inbound.sweep_stale_events()


@shared_task(ignore_result=True)
def purge_inbound_events() -> dict:
    """Daily: drop expired deduplication claims and finished events past INBOUND_EVENT_RETENTION_DAYS."""
    return event_retention.purge_inbound_history()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_outbound(self, delivery_id: str) -> None:
    """One attempt of an outbound delivery; the service decides whether and when to try again."""
    from integrations.services import delivery

    retry_in = delivery.attempt_delivery(delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in, max_retries=None)


@shared_task(ignore_result=True)
def sweep_deliveries() -> int:
    """Periodic: re-enqueue pending outbound deliveries whose next attempt is overdue (lost messages)."""
    from integrations.services import delivery

    return delivery.sweep_deliveries()


@shared_task(ignore_result=True)
def purge_outbound_history() -> dict:
    """Daily: drop catalog events and settled deliveries past OUTBOUND_RETENTION_DAYS."""
    from integrations.services import outbound

    return outbound.purge_outbound_history()


@shared_task(ignore_result=True, time_limit=None, soft_time_limit=None)
def run_replay_job(job_id: str) -> None:
    """Replay all events matching a filter (UI "replay all matching"), counting progress as it goes."""
    replay_jobs.run_replay_job(job_id)
