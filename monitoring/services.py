"""Write monitoring rows. Other apps call these; monitoring never calls back (ids are plain strings)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from erpintegration.lib.bulk import insert_rows
from monitoring import codes, rollups
from monitoring.models import (
    AccessLog,
    InboundStatus,
    InboundSyncType,
    MonitoringEvent,
    OutboundMonitoringEvent,
    Source,
)

DEPRECATED_ENDPOINT = "DEPRECATED_ENDPOINT"
V1_STATUS_LEVEL = {"success": "success", "error": "error", "warning": "warning", "skipped": "info"}


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


# --- the one record function -------------------------------------------------------------------------------

def build(
    *,
    org_id: str,
    integration_id: Any,
    source: str,
    event_id: Any,
    code: str = "",
    level: str | None = None,
    use_case_id: Any = None,
    use_case_type: str = "",
    correlation_id: str | None = None,
    message: str = "",
    detail: dict | None = None,
    duration_ms: int | None = None,
    at: datetime | None = None,
    received: bool = False,
    v1: dict | None = None,
) -> MonitoringEvent:
    """One unsaved store row (write it with :func:`record_many`). ``code`` is a :mod:`monitoring.codes` code
    (its level is fixed: ``level`` may be omitted, and a contradicting one raises) or ``HTTP_nnn``/``""`` with
    ``level``. ``source`` is a :class:`monitoring.models.Source` value (the trigger). ``received=True`` marks the
    row that stands for a received inbound event (stats ``source=incoming``). ``v1`` holds the v0.46 inbound
    columns (``status``, ``sync_type``, ``event_type``, ``object_type``, ``error_code``, ``error_message``,
    ``error_category``, ``received_at``) for rows the v1 inbound operations must list; omit it otherwise."""
    resolved = codes.resolve_level(code or "", level)
    v1 = v1 or {}
    return MonitoringEvent(
        organization_id=org_id,
        integration_id=_str_or_none(integration_id),
        event_id=str(event_id),
        correlation_id=correlation_id or None,
        use_case_id=_str_or_none(use_case_id) or None,
        use_case_type=use_case_type or "",
        source=source,
        level=resolved,
        code=code or "",
        message=message or "",
        details=detail or {},
        processing_duration_ms=None if duration_ms is None else max(0, int(duration_ms)),
        completed_at=at or timezone.now(),
        received_head=received,
        v1_status=v1.get("status"),
        sync_type=v1.get("sync_type") or "",
        event_type=v1.get("event_type"),
        object_type=v1.get("object_type") or "",
        error_code=v1.get("error_code"),
        error_message=v1.get("error_message"),
        error_category=v1.get("error_category"),
        received_at=v1.get("received_at"),
    )


def record(**fields) -> MonitoringEvent:
    """Build (see :func:`build` for the fields) and write one row, rollups included."""
    row = build(**fields)
    record_many([row])
    return row


def record_many(rows: list[MonitoringEvent]) -> None:
    """Write rows in one INSERT and count them into the rollups, in one transaction (the caller's, if any).
    Use it for micro-batches: the inbound pipeline writes all rows of a batch with one call."""
    if not rows:
        return
    rows = [_concrete(row) for row in rows]
    _mark_correlation_heads(rows)
    with transaction.atomic(savepoint=False):
        insert_rows(MonitoringEvent, rows)  # one JSON parameter on PostgreSQL (pks are not read back)
        rollups.add(rows)


def _concrete(row: MonitoringEvent) -> MonitoringEvent:
    if type(row) is MonitoringEvent:
        return row
    copy = MonitoringEvent()
    copy.__dict__.update({k: v for k, v in row.__dict__.items() if k != "_state"})
    return copy


def _mark_correlation_heads(rows: list[MonitoringEvent]) -> None:
    """The first row of a correlation id (per integration) carries ``correlation_head``: counting heads gives
    distinct correlations per bucket without scanning rows (v1 ``total_correlations``)."""
    wanted: dict[tuple, MonitoringEvent] = {}
    for row in rows:
        if row.correlation_id and row.v1_status is not None:
            wanted.setdefault((row.organization_id, row.integration_id, row.correlation_id), row)
    by_org: dict[str, set] = {}
    for org_id, _, correlation_id in wanted:
        by_org.setdefault(org_id, set()).add(correlation_id)
    seen = set()
    for org_id, ids in by_org.items():
        seen.update(
            (org_id, integration_id, correlation_id)
            for integration_id, correlation_id in MonitoringEvent.objects.filter(
                organization_id=org_id, correlation_id__in=list(ids), v1_status__isnull=False
            ).values_list("integration_id", "correlation_id").distinct()
        )
    for key, row in wanted.items():
        row.correlation_head = key not in seen


# --- the v0.46 inbound rows (one per event, use case and sync type) ----------------------------------------

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
    source: str = Source.INBOUND,
) -> MonitoringEvent:
    """An unsaved inbound sync outcome (see :func:`record_inbound_events` to write many at once): a store row
    with its v1 status and the v2 level/code it stands for (skipped → info ``STEP_DISABLED``)."""
    level = V1_STATUS_LEVEL[status]
    if sync_type == InboundSyncType.API_DEPRECATION:  # deprecation and configuration warnings
        code = error_code or DEPRECATED_ENDPOINT
    elif status == InboundStatus.SKIPPED:
        code = "STEP_DISABLED"
    elif status == InboundStatus.SUCCESS:
        code = ""
    else:
        code = codes.v2_code_for_v1(error_code) or ("UNKNOWN_ERROR" if status == "error" else "")
    fixed = codes.level_of(code)
    if fixed is not None and fixed != level:  # a v1 code whose registry level differs keeps the v1 level
        code = error_code or ""
    row = MonitoringEvent(
        organization_id=org_id,
        event_id=str(event_id),
        correlation_id=correlation_id,
        integration_id=_str_or_none(integration_id),
        use_case_id=_str_or_none(use_case_id),
        use_case_type="" if sync_type == InboundSyncType.API_DEPRECATION else "inbound",
        source=source,
        level=level,
        code=code,
        message=error_message or _inbound_message(status, sync_type, object_type),
        event_type=event_type,
        object_type=object_type or "",
        sync_type=sync_type,
        v1_status=status,
        error_code=error_code,
        error_message=error_message,
        error_category=error_category,
        processing_duration_ms=processing_duration_ms,
        received_at=received_at,
        completed_at=completed_at or timezone.now(),
        details=details or {},
        received_head=sync_type != InboundSyncType.API_DEPRECATION,
    )
    return row


def _inbound_message(status: str, sync_type: str, object_type: str) -> str:
    what = {"entity": "entities", "meter_reading": "meter readings", "webhook": "webhook call"}.get(sync_type, "")
    verb = {"success": "written", "skipped": "skipped (use case disabled)"}.get(status, status)
    return f"{object_type or 'event'}: {what} {verb}".strip()


def record_inbound_event(**fields) -> MonitoringEvent:
    """One inbound sync outcome (fields of :func:`build_inbound_event`). ``error_*`` go with ``status="error"``
    (or a warning code)."""
    row = build_inbound_event(**fields)
    record_many([row])
    return row


def record_inbound_events(rows: list[MonitoringEvent]) -> None:
    """Write rows built with :func:`build_inbound_event` in one statement. Only the first row of each
    (event, use case) counts as the received event."""
    seen = set()
    for row in rows:
        key = (row.event_id, row.use_case_id)
        if row.received_head:
            row.received_head = key not in seen
            seen.add(key)
    record_many(rows)


def build_ignored_event(*, org_id: str, integration_id: Any, event_id: Any, correlation_id: str | None,
                         reason: str, duplicate: bool = False, event_name: str = "",
                         at: datetime | None = None) -> MonitoringEvent:
    """An inbound event no use case took (``EVENT_NOT_CONFIGURED``) or a duplicate of a ``deduplication_id``
    (``DUPLICATE_EVENT``): an info row only v2 lists (the v1 inbound operations never showed them)."""
    return build(
        org_id=org_id, integration_id=integration_id, source=Source.INBOUND, event_id=event_id,
        code="DUPLICATE_EVENT" if duplicate else "EVENT_NOT_CONFIGURED", use_case_type="inbound",
        correlation_id=correlation_id, message=reason, detail={"event_name": event_name} if event_name else None,
        at=at, received=True,
    )


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
) -> MonitoringEvent:
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
    """Delete store rows (all sources) older than ``older_than_days`` with their rollup buckets, in batches
    (the cutoff is aligned down to a 5-minute bucket so the rollups stay exact); returns how many rows."""
    cutoff = rollups.bucket_of((now or timezone.now()) - timedelta(days=older_than_days), rollups.HOUR)
    deleted = _delete_in_batches(MonitoringEvent.objects.filter(completed_at__lt=cutoff), batch_size)
    rollups.delete_before(cutoff)
    return deleted


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
    correlation_id: str | None = None,
) -> OutboundMonitoringEvent:
    """The record of one outbound delivery: ``pending`` until an attempt settles it, or ``failed`` at once
    when it cannot be sent at all (mapping error, missing or disabled webhook)."""
    context = dict(execution_context or {})
    if correlation_id:
        context["correlation_id"] = correlation_id
    row = OutboundMonitoringEvent.objects.create(
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
        execution_context=context,
        status=status,
        error_message=error_message,
    )
    if status == "failed":  # it could not be sent at all: one v2 error row now
        _record_delivery_outcome(row, level="error", code="MAPPING_EXPRESSION_FAILED"
                                 if (error_message or "").startswith(("JSONata", "mapping")) else "UNKNOWN_ERROR",
                                 message=error_message or "delivery failed", detail={})
    return row


def _record_delivery_outcome(row: OutboundMonitoringEvent, *, level: str, code: str, message: str, detail: dict,
                             duration_ms: int | None = None) -> None:
    """The v2 row of one delivery attempt (v1 keeps the delivery record itself)."""
    record(
        org_id=row.organization_id, integration_id=row.integration_id, source=Source.OUTBOUND,
        event_id=row.event_id, code=code, level=level, use_case_id=row.use_case_id, use_case_type="outbound",
        correlation_id=(row.execution_context or {}).get("correlation_id") or row.event_id, message=message,
        detail={"delivery_id": (row.execution_context or {}).get("delivery_id"), "event_name": row.event_name,
                "url": row.url, **detail},
        duration_ms=duration_ms,
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
    request_headers: dict | None = None,
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
    if request_headers:
        entry["request_headers"] = request_headers
    row.attempts = [*row.attempts, entry]
    row.status = status
    if http_response is not None:
        row.http_response = http_response
    row.error_message = error
    row.execution_context = {**row.execution_context, "attempts": len(row.attempts)}
    row.save(update_fields=["attempts", "status", "http_response", "error_message", "execution_context",
                            "updated_at"])
    status_code = (http_response or {}).get("status_code")
    detail = {"attempt": entry["attempt"], "status_code": status_code}
    if status == "succeeded":
        _record_delivery_outcome(row, level="success", code="WEBHOOK_DELIVERED", duration_ms=duration_ms,
                                 message=f"Delivered {row.event_name} to {row.url}", detail=detail)
    else:
        code = f"HTTP_{status_code}" if status_code else ("TIMEOUT" if "timed out" in (error or "").lower()
                                                          else "EXTERNAL_API_ERROR")
        retrying = status == "pending"
        if retrying and code in codes.CODES:
            code = ""  # a registry error code would fix the level at error; the retry is a warning
        _record_delivery_outcome(row, level="warning" if retrying else "error", code=code, duration_ms=duration_ms,
                                 message=(f"Attempt {entry['attempt']} failed, retrying: " if retrying
                                          else "Delivery failed: ") + (error or ""), detail=detail)


def record_configuration_warning(*, org_id: str, integration_id: str, code: str, message: str,
                                 details: dict | None = None) -> MonitoringEvent:
    """A configuration change that is suspicious but allowed (e.g. a v2 sync deleting use-case types the
    client may not know): a ``warning`` row so it shows where consultants look."""
    now = timezone.now()
    return record_inbound_event(
        org_id=org_id, event_id=f"config-{now:%Y%m%d%H%M%S%f}", integration_id=integration_id,
        sync_type=InboundSyncType.API_DEPRECATION, status=InboundStatus.WARNING, error_code=code,
        error_message=message, received_at=now, completed_at=now, processing_duration_ms=0, details=details or {},
    )
