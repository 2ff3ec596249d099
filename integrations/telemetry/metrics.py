"""Metrics read from the database at scrape time: right for any number of web and worker processes
(events are accepted by web processes and applied by Celery workers, possibly on other machines).

- ``erp_inbound_events_accepted_total``: every event ever accepted (the per-integration sequences only grow);
- ``erp_inbound_events{status}``: stored events by status (queued, processing, processed, failed, ...;
  finished events are purged after INBOUND_EVENT_RETENTION_DAYS);
- ``erp_inbound_queue_lag_seconds``: age of the oldest event not yet finished (0 when none waits);
- ``erp_outbound_deliveries{status}``: stored deliveries by outcome (pending, succeeded, failed);
- ``erp_jsonata_timeouts{direction}``: stored inbound syncs and outbound deliveries that failed because a
  JSONata expression hit its time limit (D1012).
"""
from __future__ import annotations

from django.db.models import Count, Min, Sum
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from integrations.models import DeliveryStatus, ErpEvent, EventSequence, EventStatus, OutboundDelivery
from integrations.models.events import PENDING_STATUSES
from monitoring.models import InboundMonitoringEvent

TIMEOUT_CODE = "D1012"


class DatabaseCollector:
    """A prometheus-client collector; a handful of aggregate queries per scrape."""

    def collect(self):
        accepted = EventSequence.objects.aggregate(total=Sum("last_sequence"))["total"] or 0
        yield CounterMetricFamily("erp_inbound_events_accepted", "Inbound events accepted (stored before the 2xx).",
                                  value=accepted)

        events = GaugeMetricFamily("erp_inbound_events", "Stored inbound events by processing status.",
                                   labels=["status"])
        counts = dict(ErpEvent.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in EventStatus.values:
            events.add_metric([status], counts.get(status, 0))
        yield events

        oldest = ErpEvent.objects.filter(status__in=PENDING_STATUSES).aggregate(oldest=Min("received_at"))["oldest"]
        lag = max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0
        yield GaugeMetricFamily("erp_inbound_queue_lag_seconds",
                                "Age of the oldest inbound event not finished yet (0 when none waits).", value=lag)

        deliveries = GaugeMetricFamily("erp_outbound_deliveries", "Stored outbound deliveries by outcome.",
                                       labels=["status"])
        counts = dict(OutboundDelivery.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in DeliveryStatus.values:
            deliveries.add_metric([status], counts.get(status, 0))
        yield deliveries

        timeouts = GaugeMetricFamily("erp_jsonata_timeouts",
                                     "Stored syncs and deliveries that failed on a JSONata time limit (D1012).",
                                     labels=["direction"])
        timeouts.add_metric(["inbound"], InboundMonitoringEvent.objects.filter(
            v1_status="error", error_code="JSONATA_ERROR", details__error__jsonata__code=TIMEOUT_CODE).count())
        timeouts.add_metric(["outbound"], OutboundDelivery.objects.filter(
            status=DeliveryStatus.FAILED, last_error__startswith=f"JSONata error {TIMEOUT_CODE}").count())
        yield timeouts
