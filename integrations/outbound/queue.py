"""Outbound delivery's task names and how services enqueue them (see ``erpintegration/lib/queue.py``)."""
from erpintegration.lib.queue import enqueue

DELIVER_OUTBOUND = "integrations.tasks.deliver_outbound"


def send_delivery(delivery_id) -> None:
    """Ask a worker to make the next attempt of one outbound delivery."""
    enqueue(DELIVER_OUTBOUND, str(delivery_id))
