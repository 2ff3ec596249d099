"""Apply stored inbound events: parse, map, write to the entity store, record monitoring (docs/inbound.md,
processing; docs/mapping.md; docs/entity-store.md).

Guarantees:
* Strict order per lane (integration and ``group_id``; ungrouped events share the default lane): every
  step holds the lane's turn (``lanes.lane_turn``) and takes the lane's pending events with the smallest
  sequences. Lanes of one integration run in parallel, at most 20 at a time.
* Exactly once: an event's entity writes, its monitoring rows and its final status commit in ONE
  transaction (one per small batch of events), after re-checking under the lock that it is still pending. A worker killed half-way rolls
  back everything; the redelivered (or swept) task then applies it once.
* Attempts are counted in a separate, committed claim step, so a poison event (crashing every time) is
  failed after ``INBOUND_MAX_ATTEMPTS`` instead of blocking its integration forever.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from entities.services import (
    StoreError,
    SyncStateBatch,
    WriteReport,
    apply_mapping_result,
    lock_mapping_identities,
)
from erpintegration import logcontext
from erpintegration.lib.ids import parse_uuid
from erpintegration.models import Organization
from integrations.inbound.services import lane_batches
from integrations.inbound.services.file_urls import file_proxy_url_builder as signed_download_url_builder
from integrations.inbound.services.lanes import lane_turn
from integrations.mapping.bounded import map_inbound
from integrations.mapping.direct import map_direct
from integrations.mapping.engine import RuntimeContext
from integrations.mapping.payload import parse_payload
from integrations.mapping.results import MappingError
from integrations.models import ErpEvent, EventStatus, UseCase
from integrations.models.events import PENDING_STATUSES
from integrations.setup.services.mapping_environment import load_mapping_environment
from monitoring import services as monitoring
from monitoring.models import ErrorCategory, InboundStatus, InboundSyncType

logger = logging.getLogger(__name__)

MAPPING_ERROR_CATEGORIES = {
    "INVALID_PAYLOAD": ErrorCategory.VALIDATION,
    "INVALID_JSON": ErrorCategory.VALIDATION,
    "INVALID_XML": ErrorCategory.VALIDATION,
    "MISSING_UNIQUE_IDENTIFIERS": ErrorCategory.VALIDATION,
    "INVALID_METER_READING": ErrorCategory.VALIDATION,
    "JSONATA_TIMEOUT": ErrorCategory.TIMEOUT,
    "TIMEOUT": ErrorCategory.TIMEOUT,
    "JSONATA_ERROR": ErrorCategory.CONFIGURATION,
    "INVALID_CONFIGURATION": ErrorCategory.CONFIGURATION,
    "USE_CASE_MISSING_CONFIG": ErrorCategory.CONFIGURATION,
    "DIRECT_PAYLOAD_INVALID": ErrorCategory.VALIDATION,
    "DIRECT_VERSION_UNSUPPORTED": ErrorCategory.VALIDATION,
    "DIRECT_ENTITY_NOT_ALLOWED": ErrorCategory.VALIDATION,
}
STORE_ERROR_CATEGORIES = {
    "UNIQUE_ID_MULTIPLE_MATCHES": ErrorCategory.VALIDATION,
    "ENTITY_NOT_FOUND": ErrorCategory.VALIDATION,
    "METER_NOT_FOUND": ErrorCategory.VALIDATION,
}


def mapping_error_category(code: str) -> str:
    if code in MAPPING_ERROR_CATEGORIES:
        return MAPPING_ERROR_CATEGORIES[code]
    if "PAYLOAD" in code or "XML" in code or "JSON_" in code or "MISSING" in code or "TOO_LARGE" in code:
        return ErrorCategory.VALIDATION
    if "TIMEOUT" in code:
        return ErrorCategory.TIMEOUT
    return ErrorCategory.CONFIGURATION


def store_error_category(code: str) -> str:
    if code in STORE_ERROR_CATEGORIES:
        return STORE_ERROR_CATEGORIES[code]
    if "TIMEOUT" in code:
        return ErrorCategory.TIMEOUT
    return ErrorCategory.DOWNSTREAM_API


@dataclass
class UseCaseFailure(Exception):
    code: str
    message: str
    category: str
    details: dict | None = None


# --- the driver -------------------------------------------------------------------------------------


def process_events_through(event_id: str) -> int:
    """Apply, in sequence order, every pending event of the lane of ``event_id`` (its integration and
    ``group_id``): it and whatever the lane received meanwhile, so a backlog is applied in full batches and the
    tasks queued behind find nothing to do. Returns how many this call applied (0 when others already did).
    Unexpected errors propagate (the task retries; the event stays pending and its lane waits, preserving
    order)."""
    target = (ErpEvent.objects.filter(pk=parse_uuid(event_id))
              .values("integration_id", "group_id", "sequence").first())
    if target is None:
        return 0
    integration_id, group_id = target["integration_id"], target["group_id"]
    applied = 0
    with lane_turn(integration_id, group_id):
        while True:
            batch = _claim_batch(integration_id, group_id)
            if not batch:
                return applied
            applied += _apply_batch(batch)


def _claim_batch(integration_id, group_id: str) -> list[uuid.UUID]:
    """Committed claim of the next pending events (in sequence order): counts the attempt, so a crash
    still counts, and fails events that exhausted their attempts. Fresh events are claimed in batches
    (one transaction for many); an event that failed before is retried alone, so it cannot take
    innocent neighbours down with it."""
    size = max(1, settings.INBOUND_PROCESSING_BATCH_SIZE)
    with transaction.atomic():  # the lane's turn (held by the caller) makes this the lane's only claimer
        while True:
            pending = list(  # (id, attempts) pairs: hundreds of model instances would cost more than the claim
                ErpEvent.objects.filter(
                    integration_id=integration_id, group_id=group_id, status__in=PENDING_STATUSES,
                )
                .order_by("sequence")
                .values_list("id", "attempts")[:size]
            )
            if not pending:
                return []
            head_id, head_attempts = pending[0]
            if head_attempts >= settings.INBOUND_MAX_ATTEMPTS:
                _fail_exhausted(ErpEvent.objects.only(
                    "id", "attempts", "last_error", "resolved_use_case_ids", "organization_id", "integration_id",
                    "correlation_id", "event_type", "event_name", "use_case_slug", "received_at").get(pk=head_id))
                continue
            if head_attempts > 0:
                ids = [head_id]
            else:
                ids = []
                for event_id, attempts in pending:
                    if attempts > 0:
                        break
                    ids.append(event_id)
            ErpEvent.objects.filter(pk__in=ids).update(
                status=EventStatus.PROCESSING, attempts=F("attempts") + 1, started_at=timezone.now()
            )
            return ids


def _fail_exhausted(event: ErpEvent) -> None:
    now = timezone.now()
    message = f"Processing failed {event.attempts} times; giving up. Last error: {event.last_error or 'worker lost'}"
    for use_case_id in event.resolved_use_case_ids or [None]:
        _record(event, use_case_id, InboundSyncType.ENTITY, InboundStatus.ERROR, 0, now,
                error=("PROCESSING_FAILED", message, ErrorCategory.SYSTEM, None))
    ErpEvent.objects.filter(pk=event.pk).update(status=EventStatus.FAILED, completed_at=now, last_error=message)


def _apply_batch(event_ids: list[uuid.UUID]) -> int:
    """Apply claimed events in one transaction, in order; events someone else finished are skipped.
    Any unexpected error rolls the whole batch back (each event is retried, alone, later)."""
    current = None
    try:
        with transaction.atomic():
            events = ErpEvent.objects.in_bulk(event_ids)
            organizations = {org.pk: org for org in Organization.objects.filter(
                pk__in={event.organization_id for event in events.values()})}
            for event in events.values():  # a lane's events share their organisation: one instance, no join
                event.organization = organizations[event.organization_id]
            use_cases = _use_cases(events.values())
            environment = _environment(events.values(), use_cases)
            outcome: dict[str, list[uuid.UUID]] = {EventStatus.PROCESSED: [], EventStatus.FAILED: []}
            rows: list = []
            prepared = []
            for event_id in event_ids:  # mapping is pure: map every event first, then lock, then write
                current = event_id
                event = events.get(event_id)
                if event is not None and event.is_pending:
                    prepared.append(prepare_event(event, use_cases, environment))
            held = lock_mapping_identities(
                prepared[0].event.organization if prepared else None,
                [step.result for p in prepared for step in p.steps if step.result is not None])
            sync_states = SyncStateBatch()  # the entity sync states of the whole batch: one upsert
            for part in lane_batches.plan(prepared) if settings.INBOUND_SET_BASED_WRITES else prepared:
                if isinstance(part, lane_batches.Segment):
                    written = _write_segment(part, held)
                    members = part.members
                else:
                    written, members = None, [part]
                for index, event_prepared in enumerate(members):
                    event = event_prepared.event
                    current = event.pk
                    failed = apply_prepared(event_prepared, rows, held, sync_states,
                                            written=written[index] if written is not None else None)
                    outcome[EventStatus.FAILED if failed else EventStatus.PROCESSED].append(event.pk)
            sync_states.flush()
            monitoring.record_inbound_events(rows)
            now = timezone.now()
            for status, ids in outcome.items():
                if ids:
                    ErpEvent.objects.filter(pk__in=ids).update(status=status, completed_at=now, last_error="")
            return sum(len(ids) for ids in outcome.values())
    except Exception as exc:
        if current is not None:
            ErpEvent.objects.filter(pk=current).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


ENVIRONMENT_MARKERS = ("$env", "env_var_ref", "portal_ref")


def _environment(events, use_cases: dict[str, UseCase]):
    """The mapping environment of the batch's integration (a batch never spans integrations), loaded once,
    and only when one of its use cases reads it (most do not: no queries for them)."""
    first = next(iter(events), None)
    if first is None or not any(marker in json.dumps(uc.configuration or {})
                                for uc in use_cases.values() for marker in ENVIRONMENT_MARKERS):
        return None
    return load_mapping_environment(first.integration)


def _write_segment(segment, held: frozenset[int]) -> list | None:
    """The segment's writes set-based, with each step's share of the time added to its mapping time; None
    when it had to be rolled back (its events then go one by one)."""
    first = segment.members[0].event
    started = time.perf_counter()
    try:
        written = lane_batches.write_segment(segment, organization=first.organization,
                                             integration_id=str(first.integration_id), held_locks=held)
    except lane_batches.SegmentNotApplied:
        return None
    share = (time.perf_counter() - started) / len(segment.members)
    for member in segment.members:
        for step in member.steps:
            step.seconds += share
    return written


def _use_cases(events) -> dict[str, UseCase]:
    ids = {use_case_id for event in events for use_case_id in event.resolved_use_case_ids or []}
    return {str(uc.id): uc for uc in UseCase.objects.filter(pk__in=ids)}


# --- one event --------------------------------------------------------------------------------------


@dataclass
class UseCaseStep:
    """One resolved use case of an event after mapping: a result to write, a failure, or skipped."""

    use_case_id: str
    sync_types: list[str]
    seconds: float  # spent so far (parsing share excluded, as before)
    result: Any = None
    failure: UseCaseFailure | None = None
    skipped: bool = False


@dataclass
class PreparedEvent:
    event: ErpEvent
    steps: list[UseCaseStep]


def prepare_event(event: ErpEvent, use_cases: dict[str, UseCase], environment=None) -> PreparedEvent:
    """Parse and map ``event`` for each resolved use case. Pure (no database), so a batch maps all its events
    first and takes the identity locks of all their writes in one statement."""
    logcontext.bind_event(event)
    try:
        data = parse_payload(event.payload, event.format)
        parse_error = None
    except MappingError as exc:
        data, parse_error = None, exc
    steps = []
    for use_case_id in event.resolved_use_case_ids:
        started = time.perf_counter()
        use_case = use_cases.get(use_case_id)
        step = UseCaseStep(use_case_id, _sync_types(use_case), 0.0)
        try:
            if use_case is None:
                raise UseCaseFailure("USE_CASE_NOT_FOUND", "The use case was deleted after the event was received",
                                     ErrorCategory.CONFIGURATION)
            if not use_case.enabled:
                step.skipped = True
            elif parse_error is not None and not _is_direct(use_case):  # direct mode reports its own
                raise UseCaseFailure(parse_error.code, parse_error.message,
                                     mapping_error_category(parse_error.code), parse_error.details)
            else:
                step.result = _map_use_case(event, use_case, data, environment)
                if _is_direct(use_case):
                    step.sync_types = _sync_types(use_case, step.result)
        except UseCaseFailure as failure:
            step.failure = failure
        step.seconds = time.perf_counter() - started
        steps.append(step)
    return PreparedEvent(event, steps)


def apply_prepared(prepared: PreparedEvent, rows: list, held_locks: frozenset[int] = frozenset(),
                   sync_states: SyncStateBatch | None = None, written: dict | None = None) -> bool:
    """Write each mapped use case of the event (its own savepoint) and append its monitoring rows. Returns True
    if any use case failed. ``written``: step index -> report of steps a segment already wrote set-based."""
    event = prepared.event
    logcontext.bind_event(event)
    record = partial(_record, rows=rows)
    failed = False
    for step_index, step in enumerate(prepared.steps):
        started = time.perf_counter() - step.seconds
        if step.skipped:
            for sync_type in step.sync_types:
                record(event, step.use_case_id, sync_type, InboundStatus.SKIPPED, _ms(started), None,
                       details={"reason": "use case disabled after the event was received"})
            continue
        try:
            if step.failure is not None:
                raise step.failure
            if written is not None:
                report = written.get(step_index) or WriteReport()
                if sync_states is not None:
                    sync_states.add_report(report, organization=event.organization,
                                           integration_id=str(event.integration_id), event_id=str(event.id),
                                           use_case_id=step.use_case_id)
            else:
                report = _store(event, step.result, held_locks, step.use_case_id, sync_states)
        except UseCaseFailure as failure:
            failed = True
            for sync_type in step.sync_types:
                record(event, step.use_case_id, sync_type, InboundStatus.ERROR, _ms(started), None,
                       error=(failure.code, failure.message, failure.category, failure.details))
            continue
        duration = _ms(started)
        sync_types = step.sync_types
        if InboundSyncType.ENTITY in sync_types:
            details = _outcomes(report, "entity_outcomes", report_warnings=True)
            resolved = [w.message for w in getattr(step.result, "warnings", []) if w.code]
            if resolved:  # env_var_ref / portal_ref: what runs warns like the simulation does
                details["warnings"] = [*details.get("warnings", []), *resolved]
            record(event, step.use_case_id, InboundSyncType.ENTITY, InboundStatus.SUCCESS, duration, None,
                   details=details)
        if InboundSyncType.METER_READING in sync_types:
            record(event, step.use_case_id, InboundSyncType.METER_READING, InboundStatus.SUCCESS, duration, None,
                   details=_outcomes(report, "meter_reading_outcomes",
                                     report_warnings=InboundSyncType.ENTITY not in sync_types))
    return failed


def _map_use_case(event: ErpEvent, use_case: UseCase, data: Any, environment=None):
    configuration = use_case.configuration
    if isinstance(configuration, dict) and configuration.get("direct") is True:
        try:  # the pre-mapped operations replace the mapping (first problem fails the event)
            return map_direct(configuration, event.payload, event.format)
        except MappingError as exc:
            raise UseCaseFailure(exc.code, exc.message, mapping_error_category(exc.code), exc.details)
    if not configuration or not (configuration.get("entities") or configuration.get("meter_readings")):
        raise UseCaseFailure("USE_CASE_MISSING_CONFIG", f"Use case '{use_case.name}' has no configuration",
                             ErrorCategory.CONFIGURATION)
    context = RuntimeContext(
        org_id=event.organization_id,
        integration_id=str(event.integration_id),
        build_file_proxy_url=file_proxy_url_builder(event),
        environment=environment,
    )
    try:
        return map_inbound(configuration, data, context)
    except MappingError as exc:
        raise UseCaseFailure(exc.code, exc.message, mapping_error_category(exc.code), exc.details)


def _store(event: ErpEvent, result, held_locks: frozenset[int], use_case_id: str | None = None,
           sync_states: SyncStateBatch | None = None):
    try:  # atomic by contract: a StoreError leaves nothing of this use case written
        return apply_mapping_result(event.organization, result, integration_id=str(event.integration_id),
                                    event_id=str(event.id), held_locks=held_locks, use_case_id=use_case_id,
                                    sync_states=sync_states)
    except StoreError as exc:
        raise UseCaseFailure(exc.code, exc.message, store_error_category(exc.code), getattr(exc, "details", None))


def file_proxy_url_builder(event: ErpEvent):
    """Signed /download URLs for ``file_proxy_url`` fields of this event's integration."""
    return signed_download_url_builder(event.organization_id, str(event.integration_id))


def _is_direct(use_case: UseCase | None) -> bool:
    configuration = use_case.configuration if use_case else None
    return isinstance(configuration, dict) and configuration.get("direct") is True


def _sync_types(use_case: UseCase | None, result=None) -> list[str]:
    configuration = (use_case.configuration if use_case else None) or {}
    if _is_direct(use_case):  # the payload decides: entity rows always, reading rows when it has readings
        has_readings = result is not None and bool(result.meter_readings_updates)
        return [InboundSyncType.ENTITY] + ([InboundSyncType.METER_READING] if has_readings else [])
    types = []
    if configuration.get("entities") or not configuration.get("meter_readings"):
        types.append(InboundSyncType.ENTITY)
    if configuration.get("meter_readings"):
        types.append(InboundSyncType.METER_READING)
    return types


def _outcomes(report, attribute: str, report_warnings: bool) -> dict:
    details: dict[str, Any] = {"outcomes": [o.as_dict() for o in getattr(report, attribute, [])]}
    warnings = getattr(report, "warnings", None) if report_warnings else None
    if warnings:
        details["warnings"] = [w.as_dict() if hasattr(w, "as_dict") else w if isinstance(w, dict) else str(w)
                               for w in warnings]
    return details


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _record(event: ErpEvent, use_case_id, sync_type, status, duration_ms, completed_at, *, error=None,
            details=None, rows: list | None = None) -> None:
    """A monitoring row for one use case and sync type: appended to ``rows``, or written at once."""
    code, message, category, error_details = error or (None, None, None, None)
    if error_details:
        details = {**(details or {}), "error": error_details}
    row = monitoring.build_inbound_event(
        org_id=event.organization_id,
        event_id=str(event.id),
        correlation_id=event.correlation_id,
        integration_id=str(event.integration_id),
        use_case_id=use_case_id,
        event_type=event.event_type,
        object_type=event.event_name or event.use_case_slug or "",
        sync_type=sync_type,
        status=status,
        error_code=code,
        error_message=message,
        error_category=category,
        processing_duration_ms=duration_ms,
        received_at=event.received_at,
        completed_at=completed_at,
        details=details,
    )
    if rows is None:
        row.save()
    else:
        rows.append(row)
