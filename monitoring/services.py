"""Write monitoring rows. Other apps call these; monitoring never calls back (ids are plain strings)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from monitoring.models import (
    AccessLog,
    InboundMonitoringEvent,
    InboundStatus,
    InboundSyncType,
    OutboundMonitoringEvent,
)

DEPRECATED_ENDPOINT = "DEPRECATED_ENDPOINT"


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def build_inbound_event(
    *,
    org_id: str,
    event_id: str,
    sync_type: str,
    status: str,
    received_at: datetime,
    completed_at: datetime | None = None,
    correlation_id: str | None = None,
    integration_id: str | None = None,
    use_case_id: str | None = None,
    event_type: str | None = None,
    object_type: str = "",
    error_code: str | None = None,
    error_message: str | None = None,
    error_category: str | None = None,
    processing_duration_ms: int | None = None,
    details: dict | None = None,
) -> InboundMonitoringEvent:
    """An unsaved inbound sync outcome (see :func:`record_inbound_events` to write many at once)."""
    return InboundMonitoringEvent(
        organization_id=org_id,
        event_id=str(event_id),
        correlation_id=correlation_id,
        integration_id=_str_or_none(integration_id),
        use_case_id=_str_or_none(use_case_id),
        event_type=event_type,
        object_type=object_type or "",
        sync_type=sync_type,
        status=status,
        error_code=error_code,
        error_message=error_message,
        error_category=error_category,
        processing_duration_ms=processing_duration_ms,
        received_at=received_at,
        completed_at=completed_at or timezone.now(),
        details=details or {},
    )


def record_inbound_event(**fields) -> InboundMonitoringEvent:
    """One inbound sync outcome (fields of :func:`build_inbound_event`). ``error_*`` go with ``status="error"``
    (or a warning code)."""
    row = build_inbound_event(**fields)
    row.save()
    return row


def record_inbound_events(rows: list[InboundMonitoringEvent]) -> None:
    """Write rows built with :func:`build_inbound_event` in one statement."""
    InboundMonitoringEvent.objects.bulk_create(rows)


def record_api_deprecation(
    *,
    org_id: str,
    event_id: str,
    integration_id: str | None,
    correlation_id: str | None,
    endpoint: str,
    object_type: str = "",
    event_type: str | None = None,
    received_at: datetime,
) -> InboundMonitoringEvent:
    """A deprecated endpoint (v1/v2 events) was called: a ``warning`` row with code DEPRECATED_ENDPOINT."""
    return record_inbound_event(
        org_id=org_id,
        event_id=event_id,
        integration_id=integration_id,
        correlation_id=correlation_id,
        sync_type=InboundSyncType.API_DEPRECATION,
        status=InboundStatus.WARNING,
        object_type=object_type,
        event_type=event_type,
        error_code=DEPRECATED_ENDPOINT,
        error_message=f"{endpoint} is deprecated; use POST /v3/erp/updates/events",
        received_at=received_at,
        processing_duration_ms=0,
        details={"endpoint": endpoint},
    )


def purge_inbound_monitoring(*, older_than_days: int, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete inbound monitoring rows completed more than ``older_than_days`` ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    return _delete_in_batches(InboundMonitoringEvent.objects.filter(completed_at__lt=cutoff), batch_size)


def record_access_log(
    *,
    org_id: str,
    token_id: str,
    request_id: str,
    timestamp: datetime,
    method: str,
    path: str,
    status: int,
    response_latency_ms: int,
    response_length: int,
    service: str,
    environment: str,
    origin: str = "",
    source_ip: str = "",
) -> AccessLog:
    """One API request made with an access token (written by :mod:`monitoring.middleware`)."""
    return AccessLog.objects.create(
        organization_id=org_id,
        token_id=token_id,
        request_id=request_id,
        timestamp=timestamp,
        method=method[:10],
        path=path,
        status=status,
        response_latency_ms=max(0, int(response_latency_ms)),
        response_length=max(0, int(response_length)),
        service=service[:64],
        environment=environment[:32],
        origin=origin,
        source_ip=source_ip[:64],
    )


def purge_access_logs(*, older_than_days: int, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete access log entries older than ``older_than_days``; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    return _delete_in_batches(AccessLog.objects.filter(timestamp__lt=cutoff), batch_size)


def _delete_in_batches(queryset, batch_size: int) -> int:
    """Delete in bounded batches so a large backlog never holds one huge lock or transaction."""
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        deleted, _ = queryset.model.objects.filter(pk__in=ids).delete()
        total += deleted


def record_outbound_delivery(
    *,
    org_id: str,
    event_id: str,
    event_name: str,
    integration_id: str | None = None,
    use_case_id: str | None = None,
    mapping_id: str | None = None,
    webhook_config_id: str | None = None,
    url: str = "",
    http_method: str = "POST",
    payload: Any = None,
    metadata: dict | None = None,
    execution_context: dict | None = None,
    status: str = "pending",
    error_message: str | None = None,
) -> OutboundMonitoringEvent:
    """The record of one outbound delivery: ``pending`` until an attempt settles it, or ``failed`` at once
    when it cannot be sent at all (mapping error, missing or disabled webhook)."""
    return OutboundMonitoringEvent.objects.create(
        organization_id=org_id,
        event_id=str(event_id),
        event_name=event_name,
        integration_id=_str_or_none(integration_id),
        use_case_id=_str_or_none(use_case_id),
        mapping_id=_str_or_none(mapping_id),
        webhook_config_id=_str_or_none(webhook_config_id),
        url=url or "",
        http_method=http_method,
        payload=payload,
        metadata=metadata or {},
        execution_context=execution_context or {},
        status=status,
        error_message=error_message,
    )


def record_outbound_attempt(
    row_id: int,
    *,
    status: str,
    http_response: dict | None,
    error: str | None = None,
    duration_ms: int | None = None,
    attempt: int | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    """Append one attempt to the row and set its status (``pending`` while retries remain) and last response."""
    row = OutboundMonitoringEvent.objects.filter(pk=row_id).first()
    if row is None:  # the row was purged; the delivery still proceeds
        return
    entry = {
        "attempt": attempt if attempt is not None else len(row.attempts) + 1,
        "at": timezone.now().isoformat().replace("+00:00", "Z"),
        "status_code": (http_response or {}).get("status_code"),
        "error": error,
        "duration_ms": duration_ms,
    }
    if next_attempt_at is not None:
        entry["next_attempt_at"] = next_attempt_at.isoformat().replace("+00:00", "Z")
    row.attempts = [*row.attempts, entry]
    row.status = status
    if http_response is not None:
        row.http_response = http_response
    row.error_message = error
    row.execution_context = {**row.execution_context, "attempts": len(row.attempts)}
    row.save(update_fields=["attempts", "status", "http_response", "error_message", "execution_context",
                            "updated_at"])


def record_configuration_warning(*, org_id: str, integration_id: str, code: str, message: str,
                                 details: dict | None = None) -> InboundMonitoringEvent:
    """A configuration change that is suspicious but allowed (e.g. a v2 sync deleting use-case types the
    client may not know): a ``warning`` row so it shows where consultants look."""
    now = timezone.now()
    return record_inbound_event(
        org_id=org_id, event_id=f"config-{now:%Y%m%d%H%M%S%f}", integration_id=integration_id,
        sync_type=InboundSyncType.API_DEPRECATION, status=InboundStatus.WARNING, error_code=code,
        error_message=message, received_at=now, completed_at=now, processing_duration_ms=0, details=details or {},
    )
