"""Retention of stored inbound events and expired deduplication claims (docs/inbound.md, retention:
configurable)."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.models import ErpEvent, EventDeduplication
from integrations.models.events import PENDING_STATUSES

# Expired claims are kept a little longer than the window so a request racing the purge never sees
# a key vanish between its read and its take-over (the take-over re-inserts in that case anyway).
DEDUP_PURGE_GRACE = timedelta(hours=1)


def purge_inbound_history(*, now=None, retention_days: int | None = None, batch_size: int = 5000) -> dict:
    """Delete expired deduplication claims and finished events older than ``retention_days``
    (``INBOUND_EVENT_RETENTION_DAYS``). Pending events are never deleted, whatever their age."""
    now = now or timezone.now()
    days = settings.INBOUND_EVENT_RETENTION_DAYS if retention_days is None else retention_days
    claims, _ = EventDeduplication.objects.filter(expires_at__lt=now - DEDUP_PURGE_GRACE).delete()
    cutoff = now - timedelta(days=days)
    events = 0
    while True:
        ids = list(
            ErpEvent.objects.filter(received_at__lt=cutoff)
            .exclude(status__in=PENDING_STATUSES)
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        deleted, _ = ErpEvent.objects.filter(pk__in=ids).delete()
        events += deleted
    return {"deduplication_claims": claims, "events": events}
