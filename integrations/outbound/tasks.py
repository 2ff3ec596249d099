"""Celery tasks of outbound delivery: thin wrappers (ids in, one service call, retry policy).

Names are pinned to the pre-room names (``integrations.tasks.*``) so queued messages and the beat schedule
keep working; services enqueue by name through ``integrations.outbound.queue``."""
from celery import shared_task

from integrations.outbound import queue
from integrations.outbound.services import catalog, delivery, stream


# max_retries=None: the service decides when to give up (OUTBOUND_DELIVERY_MAX_ATTEMPTS); Celery's own default
# (3 retries) would end a delivery after 4 attempts and leave it pending.
@shared_task(name=queue.DELIVER_OUTBOUND, bind=True, acks_late=True, reject_on_worker_lost=True,
             ignore_result=True, max_retries=None)
def deliver_outbound(self, delivery_id: str) -> None:
    """One attempt of an outbound delivery; the service decides whether and when to try again."""
    retry_in = delivery.attempt_delivery(delivery_id)
    if retry_in is not None and not self.request.is_eager:
        # Without a broker an eager retry would run at once, ignoring the backoff: the embedded schedule
        # (integrations/embedded_schedule.py) attempts the delivery when its next attempt is due instead.
        raise self.retry(countdown=retry_in)


@shared_task(name="integrations.tasks.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> int:
    """Periodic: re-enqueue pending outbound deliveries whose next attempt is overdue (lost messages)."""
    return delivery.sweep_deliveries()


@shared_task(name="integrations.tasks.purge_outbound_history", ignore_result=True)
def purge_outbound_history() -> dict:
    """Daily: drop catalog events and settled deliveries past OUTBOUND_RETENTION_DAYS."""
    return catalog.purge_outbound_history()


@shared_task(name="integrations.tasks.reap_outbound_stream", ignore_result=True)
def reap_outbound_stream() -> int:
    """Periodic: drop pollable-outbound messages and DLQ entries past their retention (MSG_EXPIRED_UNPOLLED)."""
    return stream.reap_expired()
