"""Read monitoring rows: filtered, newest first, cursor-paged (docs/monitoring.md, scale: rollups and
cursors)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from erpintegration.lib.paging import keyset_page
from monitoring.models import AccessLog, InboundMonitoringEvent, OutboundMonitoringEvent

INBOUND_EXACT_FILTERS = (
    "use_case_id",
    "event_type",
    "sync_type",
    "status",
    "error_category",
    "correlation_id",
    "event_id",
)


@dataclass
class Page:
    items: list
    next_cursor: dict | None
    has_more: bool


@dataclass
class InboundCursor:
    """``{completed_at, event_id}`` as the contract defines, plus ``row_id`` to break ties between rows of
    one event (one row per use case and sync type) - clients pass the cursor back verbatim."""

    completed_at: datetime
    event_id: str
    row_id: int | None = None


def query_inbound_events(
    *,
    org_id: str,
    integration_id: str,
    filters: dict[str, Any],
    cursor: InboundCursor | None,
    limit: int,
) -> Page:
    """``filters`` keys: the exact filters above, ``object_type`` (or its alias ``event_name``),
    ``from_date``/``to_date`` (inclusive, on ``completed_at``)."""
    qs = InboundMonitoringEvent.objects.filter(organization_id=org_id, integration_id=str(integration_id))
    for name in INBOUND_EXACT_FILTERS:
        value = filters.get(name)
        if value is not None:
            qs = qs.filter(**{"v1_status" if name == "status" else name: str(value)})
    object_type = filters.get("object_type") or filters.get("event_name")
    if object_type is not None:
        qs = qs.filter(object_type=object_type)
    if filters.get("from_date") is not None:
        qs = qs.filter(completed_at__gte=filters["from_date"])
    if filters.get("to_date") is not None:
        qs = qs.filter(completed_at__lte=filters["to_date"])
    position = (cursor.completed_at, cursor.event_id, cursor.row_id) if cursor is not None else None
    rows, has_more = keyset_page(qs, ("completed_at", "event_id", "id"), position, limit)
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = {
            "completed_at": last.completed_at.isoformat().replace("+00:00", "Z"),
            "event_id": last.event_id,
            "row_id": last.id,
        }
    return Page(items=rows, next_cursor=next_cursor, has_more=has_more)


def inbound_event_as_contract(row: InboundMonitoringEvent) -> dict[str, Any]:
    """The ``InboundMonitoringEvent`` shape (``event_type`` omitted when absent, as for v3 events) plus
    ``details`` (per-entity outcomes, warnings, error details)."""
    body: dict[str, Any] = {
        "org_id": row.organization_id,
        "event_id": row.event_id,
        "correlation_id": row.correlation_id,
        "integration_id": row.integration_id,
        "use_case_id": row.use_case_id,
        "object_type": row.object_type,
        "sync_type": row.sync_type,
        "status": row.status,
        "processing_duration_ms": row.processing_duration_ms,
        "received_at": _iso(row.received_at),
        "completed_at": _iso(row.completed_at),
    }
    if row.event_type:
        body["event_type"] = row.event_type
    # Omitted rather than null when absent: the contract's error_category enum has no null member.
    for name in ("error_code", "error_message", "error_category"):
        if getattr(row, name) is not None:
            body[name] = getattr(row, name)
    if row.details:
        body["details"] = row.details
    return body


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _integration_queryset(org_id: str, integration_id):
    """The organisation's integration as a queryset (empty for another org or a malformed id). Looked up by
    app label (no import of ``integrations``: monitoring stays a leaf)."""
    import uuid

    from django.apps import apps

    model = apps.get_model("integrations", "Integration")
    try:
        key = uuid.UUID(str(integration_id))
    except ValueError:
        return model.objects.none()
    return model.objects.filter(organization_id=org_id, pk=key)


def integration_exists(org_id: str, integration_id) -> bool:
    """Whether the organisation owns the integration."""
    return _integration_queryset(org_id, integration_id).exists()


def integration_access_token_ids(org_id: str, integration_id) -> list[str] | None:
    """The ``access_token_ids`` linked to the organisation's integration; ``None`` if it has no such one."""
    found = _integration_queryset(org_id, integration_id).values_list("access_token_ids", flat=True).first()
    if found is None:
        return None if not integration_exists(org_id, integration_id) else []
    return [str(token_id) for token_id in found if isinstance(token_id, str | int)]


@dataclass
class AccessLogCursor:
    """``{timestamp, request_id}`` of the last entry of the previous page (request ids are unique)."""

    timestamp: datetime
    request_id: str


def query_access_logs(
    *,
    org_id: str,
    token_ids: list[str],
    filters: dict[str, Any],
    cursor: AccessLogCursor | None,
    limit: int,
) -> Page:
    """Access log entries of the organisation made with one of ``token_ids``, newest first. ``filters`` keys:
    ``service``, ``method``, ``status`` (exact), ``path`` (partial, case-insensitive), ``from_date``/``to_date``
    (inclusive, on ``timestamp``)."""
    if not token_ids:
        return Page(items=[], next_cursor=None, has_more=False)
    qs = AccessLog.objects.filter(organization_id=org_id, token_id__in=token_ids)
    for name in ("service", "method", "status"):
        if filters.get(name) is not None:
            qs = qs.filter(**{name: filters[name]})
    if filters.get("path"):
        qs = qs.filter(path__icontains=filters["path"])
    if filters.get("from_date") is not None:
        qs = qs.filter(timestamp__gte=filters["from_date"])
    if filters.get("to_date") is not None:
        qs = qs.filter(timestamp__lte=filters["to_date"])
    position = (cursor.timestamp, cursor.request_id) if cursor is not None else None
    rows, has_more = keyset_page(qs, ("timestamp", "request_id"), position, limit)
    next_cursor = None
    if has_more:
        next_cursor = {"timestamp": _iso(rows[-1].timestamp), "request_id": rows[-1].request_id}
    return Page(items=rows, next_cursor=next_cursor, has_more=has_more)


def access_log_as_contract(row: AccessLog) -> dict[str, Any]:
    """The ``AccessLogEntry`` shape."""
    return {
        "timestamp": _iso(row.timestamp),
        "environment": row.environment,
        "service": row.service,
        "request_id": row.request_id,
        "method": row.method,
        "path": row.path,
        "status": row.status,
        "response_latency_ms": row.response_latency_ms,
        "response_length": row.response_length,
        "token_id": row.token_id,
        "org_id": row.organization_id,
        "origin": row.origin,
        "source_ip": row.source_ip,
    }


@dataclass
class OutboundCursor:
    """``{created_at, event_id}`` as the contract defines, plus ``row_id`` to break ties between the rows of
    one catalog event (one row per mapping/webhook)."""

    created_at: datetime
    event_id: str
    row_id: int | None = None


def outbound_event_names(org_id: str, integration_id) -> list[str]:
    """Every ``event_catalog_event`` of the integration's outbound use cases (the default ``event_name``
    filter). Looked up by app label: monitoring stays a leaf."""
    from django.apps import apps

    use_cases = apps.get_model("integrations", "UseCase").objects.filter(
        organization_id=org_id, integration_id=integration_id, type="outbound"
    )
    names = []
    for configuration in use_cases.values_list("configuration", flat=True):
        name = configuration.get("event_catalog_event") if isinstance(configuration, dict) else None
        if isinstance(name, str) and name not in names:
            names.append(name)
    return names


def query_outbound_events(
    *,
    org_id: str,
    integration_id: str,
    event_names: list[str],
    filters: dict[str, Any],
    cursor: OutboundCursor | None,
    limit: int,
) -> Page:
    """Deliveries of the integration for ``event_names``, newest first. ``filters`` keys: ``status``,
    ``webhook_config_id``, ``from_date``/``to_date`` (inclusive, on ``created_at``)."""
    qs = OutboundMonitoringEvent.objects.filter(
        organization_id=org_id, integration_id=str(integration_id), event_name__in=event_names
    )
    for name in ("status", "webhook_config_id"):
        if filters.get(name) is not None:
            qs = qs.filter(**{name: str(filters[name])})
    if filters.get("from_date") is not None:
        qs = qs.filter(created_at__gte=filters["from_date"])
    if filters.get("to_date") is not None:
        qs = qs.filter(created_at__lte=filters["to_date"])
    position = (cursor.created_at, cursor.event_id, cursor.row_id) if cursor is not None else None
    rows, has_more = keyset_page(qs, ("created_at", "event_id", "id"), position, limit)
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = {"created_at": _iso(last.created_at), "event_id": last.event_id, "row_id": last.id}
    return Page(items=rows, next_cursor=next_cursor, has_more=has_more)


def outbound_event_as_contract(row: OutboundMonitoringEvent) -> dict[str, Any]:
    """The ``OutboundMonitoringEvent`` shape plus ``use_case_id``, ``mapping_id``, ``error_message`` and the
    ``attempts`` log (extra properties the contract allows)."""
    body: dict[str, Any] = {
        "org_id": row.organization_id,
        "event_id": row.event_id,
        "event_name": row.event_name,
        "status": row.status,
        "url": row.url,
        "http_method": row.http_method,
        "metadata": row.metadata or {},
        "execution_context": row.execution_context or {},
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "attempts": row.attempts or [],
    }
    if row.http_response is not None:
        body["http_response"] = row.http_response
    if row.webhook_config_id is not None:
        body["webhook_config_id"] = row.webhook_config_id
    if isinstance(row.payload, dict):
        body["payload"] = row.payload
    for name in ("integration_id", "use_case_id", "mapping_id", "error_message"):
        if getattr(row, name) is not None:
            body[name] = getattr(row, name)
    return body
