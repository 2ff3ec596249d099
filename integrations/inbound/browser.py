"""The event browser's queries: an integration's (or the organisation's) recorded inbound events with
filters, keyset-paginated on (received_at, id) so a page costs the same with 10 rows or 10 million."""
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from erpintegration.lib.ids import parse_uuid
from erpintegration.lib.paging import decode_position, encode_position, keyset_page
from integrations.inbound.filters import apply_criteria
from integrations.models import ErpEvent, Integration, UseCase
from monitoring.models import InboundMonitoringEvent

PAGE_SIZE = 50
PICKER_SIZE = 20


@dataclass
class EventFilters:
    status: str = ""
    use_case: UseCase | None = None
    since: datetime | None = None
    until: datetime | None = None
    correlation_id: str = ""
    group_id: str = ""
    q: str = ""
    integration: Integration | None = None
    errors: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EventPage:
    events: list
    next_cursor: str | None


def encode_cursor(event) -> str:
    return encode_position(event.received_at, event.id)


def decode_cursor(cursor: str):
    return decode_position(cursor, datetime.fromisoformat, uuid.UUID)


def event_page(org, filters: EventFilters, cursor: str | None = None, page_size: int = PAGE_SIZE) -> EventPage:
    qs = ErpEvent.objects.filter(organization=org).select_related("integration").defer("payload", "meta")
    if filters.integration is not None:
        qs = qs.filter(integration=filters.integration)
    qs = apply_criteria(qs, status=filters.status, use_case=filters.use_case, since=filters.since,
                        until=filters.until, correlation_id=filters.correlation_id, q=filters.q)
    if filters.group_id:
        qs = qs.filter(group_id=filters.group_id)
    position = decode_cursor(cursor) if cursor else None
    rows, has_more = keyset_page(qs, ("received_at", "id"), position, page_size)
    return EventPage(attach_errors(org, rows), encode_cursor(rows[-1]) if has_more else None)


def attach_errors(org, events: list) -> list:
    """Sets ``error_code``/``error_message`` on each event: its first error monitoring row (one query for
    the page), else its processing error (``last_error``)."""
    failed = [str(event.pk) for event in events if event.status in ("failed", "processed") or event.last_error]
    first: dict[str, tuple] = {}
    if failed:
        rows = (InboundMonitoringEvent.objects.filter(organization_id=org.pk, event_id__in=failed, v1_status="error")
                .order_by("completed_at", "id").values_list("event_id", "error_code", "error_message"))
        for event_id, code, message in rows:
            first.setdefault(event_id, (code, message))
    for event in events:
        code, message = first.get(str(event.pk), (None, None))
        event.error_code = code or ("PROCESSING_FAILED" if event.last_error else "")
        event.error_message = message or event.last_error or ""
    return events


def get_event(org, integration: Integration, event_id) -> ErpEvent | None:
    key = parse_uuid(event_id)
    if key is None:
        return None
    return ErpEvent.objects.filter(organization=org, integration=integration, pk=key).first()


@dataclass(frozen=True)
class EventDetail:
    event: ErpEvent
    use_cases: list
    monitoring: list
    replays: list


def event_detail(org, event: ErpEvent) -> EventDetail:
    ids = [key for key in (parse_uuid(value) for value in event.resolved_use_case_ids or []) if key]
    use_cases = list(UseCase.objects.filter(organization=org, integration=event.integration, pk__in=ids))
    monitoring = list(
        InboundMonitoringEvent.objects.filter(organization_id=org.pk, event_id=str(event.pk)).order_by("completed_at", "id")
    )
    for row in monitoring:
        row.details_pretty = json.dumps(row.details, indent=2, ensure_ascii=False) if row.details else ""
    replays = list(event.replays.order_by("-received_at").only("id", "status", "received_at", "replay_of_id"))
    return EventDetail(event=event, use_cases=use_cases, monitoring=monitoring, replays=replays)


def recent_events_for(org, use_case: UseCase, limit: int = PICKER_SIZE) -> list[ErpEvent]:
    """The latest events routed by this use case's name or slug, for the simulation's sample picker."""
    match = Q(event_name=use_case.name)
    if use_case.slug:
        match |= Q(use_case_slug=use_case.slug)
    return list(
        ErpEvent.objects.filter(match, organization=org, integration_id=use_case.integration_id)
        .only("id", "received_at", "status", "event_name", "format", "integration_id")
        .order_by("-received_at", "-id")[:limit]
    )


def event_stats(org, integration_ids: list) -> dict:
    """integration id -> {"last_event_at", "errors_24h"}: two grouped queries for the whole list.

    Errors are the monitoring rows with status ``error`` (one per failed use case and sync type), the
    same figure the monitoring API reports."""
    since = timezone.now() - timedelta(hours=24)
    stats = {key: {"last_event_at": None, "errors_24h": 0} for key in integration_ids}
    for row in (
        ErpEvent.objects.filter(organization=org, integration_id__in=integration_ids)
        .values("integration_id").annotate(last=Max("received_at"))
    ):
        stats[row["integration_id"]]["last_event_at"] = row["last"]
    by_text = {str(key): key for key in integration_ids}
    for row in (
        InboundMonitoringEvent.objects.filter(
            organization_id=org.pk, integration_id__in=list(by_text), v1_status="error", completed_at__gte=since
        )
        .values("integration_id").annotate(errors=Count("id"))
    ):
        stats[by_text[row["integration_id"]]]["errors_24h"] = row["errors"]
    return stats


def pretty_payload(event) -> str:
    """JSON payloads indented; XML and anything unparsable as sent."""
    if event.format == "json":
        try:
            return json.dumps(json.loads(event.payload), indent=2, ensure_ascii=False)
        except ValueError:
            return event.payload
    return event.payload


def replay_summary(outcomes) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    parts = [f"{count} {status.replace('_', ' ')}" for status, count in sorted(counts.items())]
    reasons = sorted({outcome.message for outcome in outcomes if outcome.status != "queued" and outcome.message})
    text = "Replay: " + ", ".join(parts) + "."
    if reasons:
        text += " " + "; ".join(reasons[:3])
    return text


def event_url(org, event_id: str) -> str | None:
    """Link to the recorded event ``event_id`` of ``org`` (an entity's last event), when it is still stored."""
    key = parse_uuid(event_id)
    if key is None:
        return None
    event = ErpEvent.objects.filter(organization=org, pk=key).only("id", "integration_id").first()
    if event is None:
        return None
    return reverse("ui-events:detail", kwargs={"integration_id": event.integration_id, "event_id": event.pk})
