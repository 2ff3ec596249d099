"""Celery tasks: thin wrappers (ids in, one service call, retry policy)."""
from celery import shared_task

from integrations.services import event_retention, inbound, processing


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


# max_retries=None: the service decides when to give up (OUTBOUND_DELIVERY_MAX_ATTEMPTS); Celery's own default
# (3 retries) would end a delivery after 4 attempts and leave it pending.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def deliver_outbound(self, delivery_id: str) -> None:
    """One attempt of an outbound delivery; the service decides whether and when to try again."""
    from integrations.services import delivery

    retry_in = delivery.attempt_delivery(delivery_id)
    if retry_in is not None and not self.request.is_eager:
        # Without a broker an eager retry would run at once, ignoring the backoff: the embedded schedule
        # (integrations/embedded_schedule.py) attempts the delivery when its next attempt is due instead.
        raise self.retry(countdown=retry_in)


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
