"""Read stored inbound events (queryEvents, docs/inbound.md): newest first, cursor ``{event_time,
event_id}``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Q

from erpintegration.lib.ids import get_for_org, parse_uuid
from erpintegration.lib.paging import keyset_page
from integrations.models import ErpEvent, Integration

# v3 events carry no event_type; the contract's ErpEvent requires one, so they are rendered as UPDATE
# (modes decide create/update/delete) and the UPDATE filter includes them.
V3_EVENT_TYPE = "UPDATE"


@dataclass
class EventPage:
    items: list[ErpEvent]
    next_cursor: dict | None
    has_more: bool


def integration_for(organization, integration_id) -> Integration:
    """The organisation's integration, else 404 (another org's integration is not found either)."""
    return get_for_org(Integration.objects, organization, integration_id, "Integration")


def query_events(
    integration: Integration,
    *,
    filters: dict[str, Any],
    cursor_time: datetime | None,
    cursor_event_id: str | None,
    limit: int,
) -> EventPage:
    qs = ErpEvent.objects.filter(integration=integration)
    if filters.get("event_id"):
        key = parse_uuid(filters["event_id"])
        qs = qs.filter(pk=key) if key else qs.none()
    if filters.get("event_type"):
        condition = Q(event_type=filters["event_type"])
        if filters["event_type"] == V3_EVENT_TYPE:
            condition |= Q(event_type__isnull=True)
        qs = qs.filter(condition)
    if filters.get("use_case_id"):
        qs = _filter_use_case(qs, filters["use_case_id"])
    if filters.get("correlation_id"):
        qs = qs.filter(correlation_id=filters["correlation_id"])
    name = filters.get("object_type") or filters.get("event_name")
    if name:  # a slug-only v3 event is named by its slug, as in its monitoring rows
        qs = qs.filter(Q(event_name=name) | Q(event_name="", use_case_slug=name))
    # a cursor event id that is not a UUID pages on the time alone
    position = (cursor_time, parse_uuid(cursor_event_id) if cursor_event_id else None) if cursor_time else None
    rows, has_more = keyset_page(qs, ("received_at", "id"), position, limit)
    next_cursor = None
    if has_more:
        next_cursor = {"event_time": _iso(rows[-1].received_at), "event_id": str(rows[-1].id)}
    return EventPage(rows, next_cursor, has_more)


def _filter_use_case(qs, use_case_id: str):
    """Events resolved to that use case: the stored first match, or (PostgreSQL) any of their matches."""
    key = parse_uuid(use_case_id)
    if key is None:
        return qs.none()
    condition = Q(use_case_id=key)
    if connections[qs.db].vendor == "postgresql":
        condition |= Q(resolved_use_case_ids__contains=[str(key)])
    return qs.filter(condition)


def event_as_contract(event: ErpEvent) -> dict[str, Any]:
    """The contract's ``ErpEvent`` (+ ``event_name`` for v3) plus ``event_id``, ``event_time``,
    ``correlation_id``, ``use_case_id`` and the processing state, needed for paging and replay."""
    body: dict[str, Any] = {
        "event_id": str(event.id),
        "event_time": _iso(event.received_at),
        "event_type": event.event_type or V3_EVENT_TYPE,
        "object_type": event.event_name or event.use_case_slug or "",
        "timestamp": _iso(event.timestamp),
        "format": event.format,
        "payload": event.payload,
        "correlation_id": event.correlation_id,
        "use_case_id": str(event.use_case_id) if event.use_case_id else (event.resolved_use_case_ids or [None])[0],
        "use_case_ids": list(event.resolved_use_case_ids or []),
        "status": event.status,
        "attempts": event.attempts,
        "api_version": event.api_version,
    }
    if event.api_version == "v3":
        body["event_name"] = event.event_name
    if event.group_id:
        body["group_id"] = event.group_id
    if event.use_case_slug:
        body["use_case_slug"] = event.use_case_slug
    if event.deduplication_id:
        body["deduplication_id"] = event.deduplication_id
    if event.replay_of_id:
        body["replay_of"] = str(event.replay_of_id)
    if event.completed_at:
        body["completed_at"] = _iso(event.completed_at)
    return body


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
