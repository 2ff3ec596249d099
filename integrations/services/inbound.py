"""Accept inbound ERP events (v1, v2, v3): validate, route, deduplicate, store, enqueue (DOMAIN.md 1.3, 1.11).

Every accepted event is stored in the transaction that produces the answer, so a 2xx means "stored".
Processing is enqueued only after commit; the sweeper (``sweep_stale_events``) covers lost messages.
Deduplication is decided by the unique constraint on :class:`EventDeduplication`, never read-then-write.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from erpintegration.exceptions import NotFound, ValidationFailed
from integrations.models import (
    AppMapping,
    ErpEvent,
    EventDeduplication,
    EventSequence,
    EventStatus,
    Integration,
    UseCase,
    UseCaseType,
)
from integrations.models.events import PENDING_STATUSES
from monitoring import services as monitoring

DEDUP_WINDOW = timedelta(hours=24)
DEDUP_ID_RE = re.compile(r"^[a-zA-Z0-9_-]+$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
EVENT_TYPES = ("CREATE", "UPDATE", "DELETE")
FORMATS = ("json", "xml")
QUEUED_MESSAGE = "Event queued for processing"

ENDPOINTS = {"v1": "POST /v1/erp/updates/events", "v2": "POST /v2/erp/updates/events"}


class EventInvalid(Exception):
    """One event of a request is invalid: it answers ``error`` with this message; the others go on."""


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


@dataclass
class ValidEvent:
    """A structurally valid event, ready to be routed and stored."""

    event_id: uuid.UUID
    api_version: str
    event_name: str
    use_case_slug: str | None
    event_type: str | None
    format: str
    payload: str
    timestamp: datetime
    deduplication_id: str | None
    use_case_ids: list[str] = field(default_factory=list)


@dataclass
class Envelope:
    integration: Integration
    correlation_id: str
    events: list
    meta: dict


# --- envelope ---------------------------------------------------------------------------------------


def _require_object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise ValidationFailed("Request body must be a JSON object")
    return body


def _require_uuid(body: dict, name: str) -> uuid.UUID:
    value = body.get(name)
    if value is None:
        raise ValidationFailed(f"{name}: this field is required")
    if not isinstance(value, str):
        raise ValidationFailed(f"{name}: must be a UUID string")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(f"{name}: must be a UUID, got {value!r}")


def _require_str(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{name}: this field is required (a non-empty string)")
    return value


def _events_list(body: dict) -> list:
    events = body.get("events")
    if events is None:
        raise ValidationFailed("events: this field is required")
    if not isinstance(events, list):
        raise ValidationFailed("events: must be an array")
    limit = settings.INBOUND_MAX_EVENTS_PER_REQUEST
    if len(events) > limit:
        raise ValidationFailed(f"events: at most {limit} events per request (got {len(events)})")
    return events


def _optional_str(body: dict, name: str, where: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 255:
        raise ValidationFailed(f"{where}{name}: must be a non-empty string of at most 255 characters")
    return value


def _integration(organization, integration_id: uuid.UUID) -> Integration:
    integration = Integration.objects.filter(organization=organization, pk=integration_id).first()
    if integration is None:
        raise NotFound(f"Integration {integration_id} not found")
    return integration


def parse_envelope(organization, api_version: str, body: Any) -> Envelope:
    body = _require_object(body)
    if api_version == "v1":
        app_id = _require_str(body, "app_id")
        component_id = _require_str(body, "component_id")
        meta = body.get("meta")
        if not isinstance(meta, dict):
            raise ValidationFailed("meta: this field is required (an object)")
        correlation_id = _optional_str(meta, "correlation_id", "meta.")
        events = _events_list(body)
        mapping = (
            AppMapping.objects.select_related("integration")
            .filter(organization=organization, app_id=app_id, component_id=str(component_id))
            .first()
        )
        if mapping is None:
            raise NotFound(f"No integration is mapped to app_id {app_id} and component_id {component_id}")
        return Envelope(
            mapping.integration,
            correlation_id or str(uuid.uuid4()),
            events,
            {**meta, "app_id": app_id, "component_id": str(component_id)},
        )
    integration_id = _require_uuid(body, "integration_id")
    correlation_id = _optional_str(body, "correlation_id", "")
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    if correlation_id is None and api_version == "v3" and meta:
        correlation_id = _optional_str(meta, "correlation_id", "meta.")
    events = _events_list(body)
    return Envelope(_integration(organization, integration_id), correlation_id or str(uuid.uuid4()), events, meta)


# --- one event --------------------------------------------------------------------------------------


def _payload_text(raw: dict, fmt: str) -> str:
    payload = raw.get("payload")
    if payload is None:
        raise EventInvalid("payload: this field is required")
    if isinstance(payload, dict):
        if fmt == "xml":
            raise EventInvalid("payload: an object payload cannot have format 'xml'; send the XML as a string")
        if not payload:
            raise EventInvalid("payload: an object payload needs at least one property")
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(payload, str):
        if len(payload) < 2:
            raise EventInvalid("payload: a string payload needs at least 2 characters")
        text = payload
    else:
        raise EventInvalid("payload: must be a string (JSON or XML text) or a JSON object")
    limit = settings.INBOUND_MAX_EVENT_BYTES
    if len(text.encode("utf-8")) > limit:
        raise EventInvalid(f"payload: exceeds the limit of {limit} bytes per event")
    return text


def _check_payload_parses(text: str, fmt: str) -> None:
    """Reject malformed JSON/XML (and XML bombs) at the door: the ERP learns it now, not in monitoring."""
    from integrations.mapping.payload import parse_payload
    from integrations.mapping.results import MappingError

    try:
        parse_payload(text, fmt)
    except MappingError as exc:
        raise EventInvalid(f"payload: {exc.message}")


def validate_event(raw: Any, api_version: str) -> ValidEvent:
    if not isinstance(raw, dict):
        raise EventInvalid("event must be a JSON object")
    fmt = raw.get("format", "json")
    if fmt not in FORMATS:
        raise EventInvalid("format: must be 'json' or 'xml'")
    timestamp_raw = raw.get("timestamp")
    if timestamp_raw is None:
        raise EventInvalid("timestamp: this field is required")
    timestamp = parse_datetime(timestamp_raw) if isinstance(timestamp_raw, str) else None
    if timestamp is None:
        raise EventInvalid(f"timestamp: {timestamp_raw!r} is not an ISO 8601 date-time")
    if timezone.is_naive(timestamp):
        timestamp = timezone.make_aware(timestamp, timezone.utc)
    event_type = None
    use_case_slug = None
    if api_version == "v3":
        event_name = raw.get("event_name")
        use_case_slug = raw.get("use_case_slug")
        if event_name is None and use_case_slug is None:
            raise EventInvalid("event_name or use_case_slug is required")
        if event_name is not None and (not isinstance(event_name, str) or not event_name):
            raise EventInvalid("event_name: must be a non-empty string")
        if use_case_slug is not None and (
            not isinstance(use_case_slug, str) or len(use_case_slug) > 255 or not SLUG_RE.match(use_case_slug)
        ):
            raise EventInvalid("use_case_slug: must match ^[a-z0-9][a-z0-9_-]*$ (1-255 characters)")
    else:
        event_type = raw.get("event_type")
        if event_type not in EVENT_TYPES:
            raise EventInvalid("event_type: must be one of CREATE, UPDATE, DELETE")
        event_name = raw.get("object_type")
        if not isinstance(event_name, str) or not event_name:
            raise EventInvalid("object_type: this field is required (a non-empty string)")
    dedup = raw.get("deduplication_id")
    if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255 or not DEDUP_ID_RE.match(dedup)):
        raise EventInvalid("deduplication_id: must match ^[a-zA-Z0-9_-]+$ (1-255 characters)")
    text = _payload_text(raw, fmt)
    if isinstance(raw.get("payload"), str):  # an object payload was just serialized: valid by construction
        _check_payload_parses(text, fmt)
    return ValidEvent(
        event_id=uuid.uuid4(),
        api_version=api_version,
        event_name=event_name or "",
        use_case_slug=use_case_slug,
        event_type=event_type,
        format=fmt,
        payload=text,
        timestamp=timestamp,
        deduplication_id=dedup,
    )


# --- routing ----------------------------------------------------------------------------------------


def inbound_use_cases(integration: Integration) -> list[UseCase]:
    return list(
        UseCase.objects.filter(integration=integration, type=UseCaseType.INBOUND)
        .only("id", "name", "slug", "enabled")
        .order_by("created_at", "id")
    )


def route(event: ValidEvent, use_cases: list[UseCase]) -> tuple[list[str], str | None]:
    """Enabled matching use case ids, or ``([], reason)``. ``use_case_slug`` wins; else ``event_name``
    matches the use case ``name`` exactly, with ``slug`` as fallback (DOMAIN.md 3.5). An unknown
    ``use_case_slug`` is an invalid event (EventInvalid)."""
    if event.use_case_slug:
        matches = [uc for uc in use_cases if uc.slug == event.use_case_slug]
        if not matches:
            raise EventInvalid(f"use_case_slug: no inbound use case with slug '{event.use_case_slug}'")
    else:
        matches = [uc for uc in use_cases if uc.name == event.event_name]
        if not matches:
            matches = [uc for uc in use_cases if uc.slug and uc.slug == event.event_name]
        if not matches:
            return [], f"No inbound use case matches event '{event.event_name}'"
    enabled = [str(uc.id) for uc in matches if uc.enabled]
    if not enabled:
        return [], "The matching use case is disabled"
    return enabled, None


# --- deduplication ----------------------------------------------------------------------------------


def claim_deduplication_ids(integration: Integration, claims: list[tuple[str, uuid.UUID]], now: datetime) -> dict:
    """Claim each ``(dedup_id, event_id)`` for 24 h; returns ``{event_id: holder}`` for the LOSING claims
    (holder = the event id that has the id, "" if unknown). Winners are absent from the answer.

    The database decides: one ``INSERT ... ON CONFLICT DO NOTHING`` for the request (a concurrent insert
    of the same key waits for the other transaction, then does nothing), then a read of who holds each
    key. An expired claim is taken over with a conditional UPDATE, which is atomic too."""
    if not claims:
        return {}
    first_claim: dict[str, uuid.UUID] = {}
    losers: dict[uuid.UUID, str] = {}
    for dedup_id, event_id in claims:
        if dedup_id in first_claim:  # the same id twice in one request: the first one wins
            losers[event_id] = str(first_claim[dedup_id])
        else:
            first_claim[dedup_id] = event_id
    expires_at = now + DEDUP_WINDOW
    EventDeduplication.objects.bulk_create(
        [
            EventDeduplication(integration=integration, deduplication_id=d, event_id=e, expires_at=expires_at)
            for d, e in first_claim.items()
        ],
        ignore_conflicts=True,
    )
    holders = {
        row.deduplication_id: row
        for row in EventDeduplication.objects.filter(integration=integration, deduplication_id__in=list(first_claim))
    }
    for dedup_id, event_id in first_claim.items():
        row = holders.get(dedup_id)
        if row is not None and row.event_id == event_id:
            continue
        if row is None or row.expires_at <= now:
            holder = _take_over(integration, dedup_id, event_id, now, expires_at)
            if holder is None:
                continue
            losers[event_id] = holder
            continue
        losers[event_id] = str(row.event_id)
    return losers


def _take_over(integration, dedup_id: str, event_id: uuid.UUID, now: datetime, expires_at: datetime) -> str | None:
    """Claim an expired (or just purged) key; None when claimed, else the holder's event id."""
    taken_over = EventDeduplication.objects.filter(
        integration=integration, deduplication_id=dedup_id, expires_at__lte=now
    ).update(event_id=event_id, expires_at=expires_at)
    if taken_over:
        return None
    try:
        with transaction.atomic():  # the row was purged meanwhile: insert it again
            EventDeduplication.objects.create(
                integration=integration, deduplication_id=dedup_id, event_id=event_id, expires_at=expires_at
            )
        return None
    except IntegrityError:
        holder = (
            EventDeduplication.objects.filter(integration=integration, deduplication_id=dedup_id)
            .values_list("event_id", flat=True)
            .first()
        )
        return str(holder) if holder else ""


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
    from integrations.tasks import process_events

    process_events.delay(event_id)


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
        queued = [row for row in rows if row.status == EventStatus.QUEUED]
        if queued:
            enqueue_processing(str(queued[-1].id))
    return [r.as_dict() for r in results]


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
        correlation_id=envelope.correlation_id,
        meta=envelope.meta,
        timestamp=event.timestamp,
        received_at=now,
        status=status,
        resolved_use_case_ids=event.use_case_ids,
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
    integration = _integration(organization, integration_id)
    known = {}
    parsed_ids = []
    for raw_id in event_ids:
        try:
            parsed_ids.append(uuid.UUID(str(raw_id)))
        except ValueError:
            continue
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
        if rows:
            enqueue_processing(str(rows[-1].id))
    return outcomes


def _normal_uuid(value) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


# --- sweeper ----------------------------------------------------------------------------------------


def sweep_stale_events(older_than: timedelta | None = None) -> int:
    """Re-enqueue events stored but unfinished for a while (a lost message, a killed worker).

    One task per integration, for its newest stale event: that task applies all earlier ones in order.
    Processing is idempotent, so a re-enqueued event that is in fact running is harmless."""
    if older_than is None:
        older_than = timedelta(seconds=settings.INBOUND_SWEEP_AFTER_SECONDS)
    cutoff = timezone.now() - older_than
    stale = (
        ErpEvent.objects.filter(status__in=PENDING_STATUSES, received_at__lte=cutoff)
        .filter(Q(started_at__isnull=True) | Q(started_at__lte=cutoff))
        .values("integration_id")
        .annotate(last=Max("sequence"))
    )
    from integrations.tasks import process_events

    count = 0
    for item in stale:
        event_id = (
            ErpEvent.objects.filter(integration_id=item["integration_id"], sequence=item["last"])
            .values_list("id", flat=True)
            .first()
        )
        if event_id:
            process_events.delay(str(event_id))
            count += 1
    return count
