"""Monitoring housekeeping tasks."""
from celery import shared_task
from django.conf import settings

from . import services


@shared_task(ignore_result=True)
def purge_inbound_monitoring() -> int:
    """Daily: drop inbound monitoring rows older than MONITORING_RETENTION_DAYS."""
    return services.purge_inbound_monitoring(older_than_days=settings.MONITORING_RETENTION_DAYS)
