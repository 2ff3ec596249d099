"""Accept inbound ERP events (v1, v2, v3): validate, route, deduplicate, store, enqueue (docs/inbound.md,
accepting).

Every accepted event is stored in the transaction that produces the answer, so a 2xx means "stored".
Processing is enqueued only after commit; the sweeper (``sweep_stale_events``) covers lost messages.
Deduplication is decided by the unique constraint on :class:`EventDeduplication`, never read-then-write.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from erpintegration.lib.ids import parse_uuid
from integrations.inbound import queue
from integrations.inbound.services.deduplication import claim_deduplication_ids
from integrations.inbound.services.routing import inbound_use_cases, route
from integrations.inbound.services.validation import (
    Envelope,
    EventInvalid,
    ValidEvent,
    integration_for_envelope,
    parse_envelope,
    validate_event,
)
from integrations.models import ErpEvent, EventSequence, EventStatus, Integration
from integrations.models.events import PENDING_STATUSES
from monitoring import services as monitoring

QUEUED_MESSAGE = "Event queued for processing"

ENDPOINTS = {"v1": "POST /v1/erp/updates/events", "v2": "POST /v2/erp/updates/events"}


@dataclass
class EventResult:
    event_id: str
    status: str  # success | error | skipped | ignored
    message: str | None = None

    def as_dict(self) -> dict[str, str]:
        body = {"event_id": self.event_id, "status": self.status}
        if self.message:
            body["message"] = self.message
        return body


# --- accept -----------------------------------------------------------------------------------------


def _allocate_sequences(integration: Integration, count: int) -> int:
    """Reserve ``count`` sequence numbers; returns the first. Locks the counter row until commit, so one
    integration's ingest transactions commit in sequence order."""
    EventSequence.objects.get_or_create(integration=integration)
    counter = EventSequence.objects.select_for_update().get(integration=integration)
    first = counter.last_sequence + 1
    EventSequence.objects.filter(pk=counter.pk).update(last_sequence=F("last_sequence") + count)
    return first


def _send_processing_task(event_id: str) -> None:
    queue.send_processing(event_id)


def enqueue_processing(event_id: str) -> None:
    """After commit: a worker applies every pending event of the integration up to this one, in order.
    A failure to reach the broker loses nothing: the event is stored and the sweeper re-enqueues it."""
    event_id = str(event_id)

    def send_processing_task():
        _send_processing_task(event_id)

    transaction.on_commit(send_processing_task, robust=True)


def accept_events(organization, api_version: str, body: Any) -> list[dict]:
    """Answer one ``{event_id, status, message?}`` per event; raises ValidationFailed/NotFound for the
    envelope. Stored events are committed before this returns."""
    envelope = parse_envelope(organization, api_version, body)
    integration = envelope.integration
    now = timezone.now()
    results: list[EventResult] = []
    valid: list[tuple[int, ValidEvent]] = []
    for index, raw in enumerate(envelope.events):
        try:
            valid.append((index, validate_event(raw, api_version)))
            results.append(None)  # type: ignore[arg-type]
        except EventInvalid as exc:
            results.append(EventResult(str(uuid.uuid4()), "error", f"events[{index}]: {exc}"))
    use_cases = inbound_use_cases(integration) if valid else []

    with transaction.atomic():
        to_store: list[tuple[ValidEvent, str]] = []
        if valid:
            # Taken first: serializes this integration's ingest, so sequence order is commit order.
            first_sequence = _allocate_sequences(integration, len(valid))
        routed: list[tuple[int, ValidEvent]] = []
        for index, event in valid:
            try:
                use_case_ids, reason = route(event, use_cases)
            except EventInvalid as exc:
                results[index] = EventResult(str(event.event_id), "error", f"events[{index}]: {exc}")
                continue
            if not use_case_ids:
                results[index] = EventResult(str(event.event_id), "ignored", reason)
                to_store.append((event, EventStatus.IGNORED))
                continue
            event.use_case_ids = use_case_ids
            routed.append((index, event))
        duplicates = claim_deduplication_ids(
            integration, [(e.deduplication_id, e.event_id) for _, e in routed if e.deduplication_id], now
        )
        for index, event in routed:
            if event.event_id in duplicates:
                results[index] = EventResult(
                    duplicates[event.event_id] or str(event.event_id),
                    "skipped",
                    f"Duplicate deduplication_id '{event.deduplication_id}' within 24 hours",
                )
                continue
            results[index] = EventResult(str(event.event_id), "success", QUEUED_MESSAGE)
            to_store.append((event, EventStatus.QUEUED))
        rows = [
            _event_row(organization, integration, envelope, event, status, first_sequence + offset, now)
            for offset, (event, status) in enumerate(to_store)
        ]
        ErpEvent.objects.bulk_create(rows)
        monitoring.record_many([
            monitoring.build_ignored_event(
                org_id=organization.id, integration_id=integration.id, event_id=result.event_id,
                correlation_id=getattr(event, "correlation_id", None) or envelope.correlation_id,
                reason=result.message or "", event_name=event.event_name,
                duplicate=result.status == "skipped", at=now,
            )
            for (_, event), result in ((pair, results[pair[0]]) for pair in valid)
            if result is not None and result.status in ("ignored", "skipped")
        ])
        if api_version in ENDPOINTS:
            first = next((r for r in results if r is not None), None)
            monitoring.record_api_deprecation(
                org_id=organization.id,
                event_id=first.event_id if first else str(uuid.uuid4()),
                integration_id=str(integration.id),
                correlation_id=envelope.correlation_id,
                endpoint=ENDPOINTS[api_version],
                object_type=valid[0][1].event_name if valid else "",
                event_type=valid[0][1].event_type if valid else None,
                received_at=now,
            )
        enqueue_lanes(rows)
    return [r.as_dict() for r in results]


def enqueue_lanes(rows: list[ErpEvent]) -> None:
    """One task per lane touched: for the lane's last queued event, which applies the lane up to it."""
    last_of_lane: dict[str, ErpEvent] = {}
    for row in rows:
        if row.status == EventStatus.QUEUED:
            last_of_lane[row.group_id] = row
    for row in last_of_lane.values():
        enqueue_processing(str(row.id))


def _event_row(organization, integration, envelope: Envelope, event: ValidEvent, status, sequence, now):
    return ErpEvent(
        id=event.event_id,
        organization=organization,
        integration=integration,
        api_version=event.api_version,
        event_type=event.event_type,
        event_name=event.event_name,
        use_case_slug=event.use_case_slug,
        format=event.format,
        payload=event.payload,
        deduplication_id=event.deduplication_id,
        correlation_id=envelope.event_correlation_id(event),
        group_id=envelope.event_group_id(event),
        meta=envelope.meta,
        timestamp=event.timestamp,
        received_at=now,
        status=status,
        resolved_use_case_ids=event.use_case_ids,
        use_case_id=event.use_case_ids[0] if event.use_case_ids else None,
        sequence=sequence,
        completed_at=now if status == EventStatus.IGNORED else None,
    )


# --- replay -----------------------------------------------------------------------------------------


@dataclass
class ReplayOutcome:
    event_id: str
    status: str  # queued | ignored | not_found | error
    replay_event_id: str | None = None
    message: str | None = None

    def as_dict(self) -> dict:
        body = {"event_id": self.event_id, "status": self.status}
        if self.replay_event_id:
            body["replay_event_id"] = self.replay_event_id
        if self.message:
            body["message"] = self.message
        return body


def replay_events(organization, integration_id, event_ids: list[str]) -> list[ReplayOutcome]:
    """Re-process stored events with their original payload as new events (new id, new correlation id),
    bypassing deduplication and routed against the current configuration. Unknown ids are reported."""
    integration = integration_for_envelope(organization, integration_id)
    known = {}
    parsed_ids = []
    for raw_id in event_ids:
        key = parse_uuid(raw_id)
        if key is not None:
            parsed_ids.append(key)
    for event in ErpEvent.objects.filter(integration=integration, pk__in=parsed_ids):
        known[str(event.id)] = event
    use_cases = inbound_use_cases(integration)
    now = timezone.now()
    outcomes: list[ReplayOutcome] = []
    with transaction.atomic():
        first_sequence = _allocate_sequences(integration, len(event_ids))
        rows = []
        for raw_id in event_ids:
            original = known.get(_normal_uuid(raw_id))
            if original is None:
                outcomes.append(ReplayOutcome(str(raw_id), "not_found", message="Event not found"))
                continue
            replay = ValidEvent(
                event_id=uuid.uuid4(),
                api_version=original.api_version,
                event_name=original.event_name,
                use_case_slug=original.use_case_slug,
                event_type=original.event_type,
                format=original.format,
                payload=original.payload,
                timestamp=original.timestamp,
                deduplication_id=None,
                group_id=original.group_id,  # the replay joins the original's lane
            )
            try:
                use_case_ids, reason = route(replay, use_cases)
            except EventInvalid as exc:
                outcomes.append(ReplayOutcome(str(original.id), "error", message=str(exc)))
                continue
            if not use_case_ids:
                outcomes.append(ReplayOutcome(str(original.id), "ignored", message=reason))
                continue
            replay.use_case_ids = use_case_ids
            row = _event_row(
                organization,
                integration,
                Envelope(integration, str(uuid.uuid4()), [], original.meta),
                replay,
                EventStatus.QUEUED,
                first_sequence + len(rows),
                now,
            )
            row.replay_of = original
            rows.append(row)
            outcomes.append(ReplayOutcome(str(original.id), "queued", replay_event_id=str(row.id)))
        ErpEvent.objects.bulk_create(rows)
        enqueue_lanes(rows)
    return outcomes


def _normal_uuid(value) -> str | None:
    key = parse_uuid(value)
    return str(key) if key else None


# --- sweeper ----------------------------------------------------------------------------------------


def sweep_stale_events(older_than: timedelta | None = None) -> int:
    """Re-enqueue events stored but unfinished for a while (a lost message, a killed worker).

    One task per lane (integration and group), for its newest stale event: that task applies all earlier
    ones of the lane in order.
    Processing is idempotent, so a re-enqueued event that is in fact running is harmless."""
    if older_than is None:
        older_than = timedelta(seconds=settings.INBOUND_SWEEP_AFTER_SECONDS)
    cutoff = timezone.now() - older_than
    stale = (
        ErpEvent.objects.filter(status__in=PENDING_STATUSES, received_at__lte=cutoff)
        .filter(Q(started_at__isnull=True) | Q(started_at__lte=cutoff))
        .values("integration_id", "group_id")
        .annotate(last=Max("sequence"))
    )
    count = 0
    for item in stale:
        event_id = (
            ErpEvent.objects.filter(integration_id=item["integration_id"], sequence=item["last"])
            .values_list("id", flat=True)
            .first()
        )
        if event_id:
            queue.send_processing(event_id)
            count += 1
    return count
