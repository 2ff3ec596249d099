"""Celery task of the file proxy's upload direction (enqueued by name from outbound planning)."""
from celery import shared_task

from fileproxy import uploads

DELIVER_UPLOAD = "fileproxy.tasks.deliver_upload"


@shared_task(name=DELIVER_UPLOAD, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_upload(self, delivery_id: str) -> None:
    """One attempt of a file_proxy delivery; the service decides whether and when to try again."""
    retry_in = uploads.deliver_upload(delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in, max_retries=None)
