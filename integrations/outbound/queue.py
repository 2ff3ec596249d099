"""Outbound delivery's task names and how services enqueue them (see ``erpintegration/lib/queue.py``)."""
from erpintegration.lib.queue import enqueue

DELIVER_OUTBOUND = "integrations.tasks.deliver_outbound"


def send_delivery(delivery_id) -> None:
    """Ask a worker to make the next attempt of one outbound delivery."""
    enqueue(DELIVER_OUTBOUND, str(delivery_id))


#: The file proxy's upload task (registered by ``fileproxy``): file_proxy deliveries are sent by their owner.
DELIVER_UPLOAD = "fileproxy.tasks.deliver_upload"


def send_upload(delivery_id) -> None:
    """Ask a worker to make the next attempt of one file_proxy (upload) delivery."""
    enqueue(DELIVER_UPLOAD, str(delivery_id))


def send_any(delivery_id, delivery_type: str) -> None:
    (send_upload if delivery_type == "file_proxy" else send_delivery)(delivery_id)
