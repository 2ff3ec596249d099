"""Reading the store the v1.33 way: events (keyset pages), associated events of a trigger, traces."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps

from erpintegration.lib.paging import keyset_page
from monitoring import rows as v2rows
from monitoring.models import MonitoringEvent

UNKNOWN_USE_CASE = "__unknown__"
TRACE_CAP = 500
ROLL_UP_ORDER = ("error", "warning", "success", "info")


@dataclass
class Page:
    items: list[MonitoringEvent]
    next_cursor: dict | None
    has_more: bool


def configured_use_case_ids(org_id: str, integration_id: str) -> list[str]:
    """Ids of the integration's current use cases (looked up by app label: monitoring imports no app above)."""
    model = apps.get_model("integrations", "UseCase")
    return [str(pk) for pk in model.objects.filter(organization_id=org_id, integration_id=integration_id)
            .values_list("pk", flat=True)]


def query_events(*, org_id: str, integration_id: str, filters: dict[str, Any], cursor: dict | None,
                 limit: int) -> Page:
    """queryMonitoringEventsV2: newest first by (created_at, id); filters as the contract names them."""
    if filters.get("level") == "skipped":  # accepted, never matches (v2 has no skipped level)
        return Page([], None, False)
    qs = MonitoringEvent.objects.filter(organization_id=org_id, integration_id=integration_id)
    use_case_id = filters.get("use_case_id")
    if use_case_id is not None:
        if use_case_id == "":
            qs = qs.filter(use_case_id__isnull=True) | qs.filter(use_case_id="")
        elif use_case_id == UNKNOWN_USE_CASE:
            qs = qs.exclude(use_case_id__isnull=True).exclude(use_case_id="").exclude(
                use_case_id__in=configured_use_case_ids(org_id, integration_id))
        else:
            qs = qs.filter(use_case_id=use_case_id)
    for name in ("use_case_type", "level", "code", "event_id", "correlation_id"):
        if filters.get(name) is not None:
            qs = qs.filter(**{name: filters[name]})
    if filters.get("from_date") is not None:
        qs = qs.filter(completed_at__gte=filters["from_date"])
    if filters.get("to_date") is not None:
        qs = qs.filter(completed_at__lte=filters["to_date"])
    position = (cursor["created_at"], cursor["pk"]) if cursor is not None else None
    items, has_more = keyset_page(qs, ("completed_at", "id"), position, limit)
    next_cursor = None
    if has_more:
        last = items[-1]
        next_cursor = {"created_at": v2rows.iso(last.completed_at), "id": v2rows.v2_id(last.pk)}
    return Page(items, next_cursor, has_more)


def parse_cursor(raw: dict | None) -> dict | None:
    """``{created_at, id}`` → ``{created_at, pk}``; ValueError naming what is wrong."""
    if not raw:
        return None
    created_at, row_id = raw.get("created_at"), raw.get("id")
    if created_at is None or row_id is None:
        raise ValueError("cursor needs created_at and id (pass next_cursor back)")
    pk = v2rows.pk_of_v2_id(str(row_id))
    if pk is None:
        raise ValueError("cursor.id is not an id from this server")
    return {"created_at": created_at, "pk": pk}


def inbound_event_head(org_id: str, integration_id: str, event_id: str) -> dict | None:
    """The stored raw inbound event (the trace's "head"), or None."""
    try:
        key = uuid.UUID(str(event_id))
    except ValueError:
        return None
    model = apps.get_model("integrations", "ErpEvent")
    event = model.objects.filter(organization_id=org_id, integration_id=integration_id, pk=key).first()
    if event is None:
        return None
    return {
        "event_id": str(event.pk),
        "correlation_id": event.correlation_id or "",
        "event_type": event.event_type,
        "event_name": event.event_name,
        "use_case_slug": getattr(event, "use_case_slug", None),
        "status": event.status,
        "format": getattr(event, "format", None),
        "payload": _payload(event),
        "received_at": v2rows.iso(event.received_at),
    }


def _payload(event) -> Any:
    if getattr(event, "format", "json") == "json":
        try:
            return json.loads(event.payload)
        except (TypeError, ValueError):
            pass
    return event.payload


def associated_events(org_id: str, integration_id: str, event_id: str) -> dict[str, Any]:
    """getAssociatedMonitoringEvents: every row of the trigger, oldest first, with the raw inbound event."""
    items = MonitoringEvent.objects.filter(
        organization_id=org_id, integration_id=integration_id, event_id=event_id
    ).order_by("completed_at", "id")[:TRACE_CAP * 2]
    return {
        "monitoring_events": [v2rows.as_v2(row) for row in items],
        "inbound_event": inbound_event_head(org_id, integration_id, event_id),
    }


def trace(org_id: str, integration_id: str, correlation_id: str, cap: int = TRACE_CAP) -> dict[str, Any]:
    """getMonitoringTraceByCorrelation: the earliest ``cap`` spans, rolled-up status, the inbound head."""
    spans = list(MonitoringEvent.objects.filter(
        organization_id=org_id, integration_id=integration_id, correlation_id=correlation_id
    ).order_by("completed_at", "id")[: cap + 1])
    truncated = len(spans) > cap
    spans = spans[:cap]
    levels = {span.level for span in spans}
    status = next((level for level in ROLL_UP_ORDER if level in levels), "info")
    head = None
    for span in spans:
        if span.source == "inbound":
            head = inbound_event_head(org_id, integration_id, span.event_id)
            if head is not None:
                break
    return {
        "correlation_id": correlation_id,
        "status": status,
        "started_at": v2rows.iso(spans[0].completed_at) if spans else None,
        "ended_at": v2rows.iso(spans[-1].completed_at) if spans else None,
        "span_count": len(spans),
        "truncated": truncated,
        "spans": [v2rows.as_v2(span) for span in spans],
        "inbound_event": head,
    }


def latest_time(org_id: str, integration_id: str) -> datetime | None:
    row = MonitoringEvent.objects.filter(organization_id=org_id, integration_id=integration_id).order_by(
        "-completed_at").values_list("completed_at", flat=True).first()
    return row
