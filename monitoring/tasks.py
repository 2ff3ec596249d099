"""Monitoring housekeeping tasks."""
from celery import shared_task
from django.conf import settings

from monitoring import services
from monitoring.notifications import evaluator


@shared_task(name="monitoring.tasks.purge_inbound_monitoring", ignore_result=True)
def purge_inbound_monitoring() -> int:
    """Daily: drop inbound monitoring rows older than MONITORING_RETENTION_DAYS."""
    return services.purge_inbound_monitoring(older_than_days=settings.MONITORING_RETENTION_DAYS)


@shared_task(name="monitoring.tasks.purge_access_logs", ignore_result=True)
def purge_access_logs() -> int:
    """Daily: drop API access log entries older than ACCESS_LOG_RETENTION_DAYS."""
    return services.purge_access_logs(older_than_days=settings.ACCESS_LOG_RETENTION_DAYS)


@shared_task(name="monitoring.tasks.evaluate_notifications", ignore_result=True)
def evaluate_notifications() -> int:
    """Every 5 minutes (beat): the notification rules of every integration, and due digests."""
    return evaluator.evaluate_all()
