"""The pollable outbound stream: enqueue, poll (lease), ack, dead-letter queue, redrive, unblock, expiry.

One FIFO per integration merges every enabled poll-mode use case. Every state change runs in one
transaction holding the stream row's lock (``SELECT ... FOR UPDATE``; a poll uses ``SKIP LOCKED`` and
answers an empty batch when another poll holds it). On SQLite, where row locks do not exist, the same
critical sections are serialised by an in-process lock per stream (the embedded default is one process).

Rules implemented here are written down in docs/outbound.md ("Poll delivery").
"""
from __future__ import annotations

import json
import secrets
import threading
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from erpintegration.exceptions import NotFound, ValidationFailed
from erpintegration.lib import paging
from erpintegration.lib.ids import get_for_org, parse_uuid
from integrations.configuration.outbound import format_timestamp
from integrations.configuration.poll_delivery import (
    PollSettings,
    mapping_version,
    poll_mapping,
    poll_settings,
    transform_expression,
)
from integrations.mapping import jsonata as expressions
from integrations.models import Integration, OutboundQueueItem, OutboundStream, QueueItemState, UseCase
from integrations.models.outbound_stream import DEFAULT_VISIBILITY_TIMEOUT_SECONDS
from integrations.outbound.services import stream_monitoring as mon
from integrations.setup.services.mapping_environment import expression_bindings

AVAILABLE, LEASED, DEAD_LETTERED = QueueItemState.AVAILABLE, QueueItemState.LEASED, QueueItemState.DEAD_LETTERED
LIVE = (AVAILABLE, LEASED)
DEFAULT_POLL_LIMIT = 10
MAX_BATCH = 100
RESPONSE_CAP_BYTES = 5_500_000  # the contract's ~5.5 MB response cap
DEFAULT_DLQ_LIMIT = 25
INTERNAL_KEYS = ("_downgrades", "_automation_chain")
EXHAUSTED_REASON = "max_delivery_attempts exhausted"
OPERATOR_REASON = "skipped by operator (unblock)"
MAX_REASON = 500

_local_locks = [threading.RLock() for _ in range(64)]


# --- locking ----------------------------------------------------------------------------------------------

def ensure_stream(integration: Integration) -> OutboundStream:
    stream, _ = OutboundStream.objects.get_or_create(
        integration_id=integration.pk, defaults={"organization_id": integration.organization_id})
    return stream


@contextmanager
def locked_stream(integration_id, *, organization=None, skip_locked: bool = False):
    """A transaction holding the stream row's lock; yields the row, or None when ``skip_locked`` and busy
    (or when the stream does not exist, or is not ``organization``'s)."""
    local = connections[OutboundStream.objects.db].vendor != "postgresql"
    lock = _local_locks[zlib.crc32(str(integration_id).encode()) % len(_local_locks)] if local else None
    if lock is not None and not lock.acquire(blocking=not skip_locked):
        yield None
        return
    try:
        with transaction.atomic():
            queryset = OutboundStream.objects.select_for_update(skip_locked=skip_locked).filter(pk=integration_id)
            if organization is not None:
                queryset = queryset.filter(organization=organization)
            yield queryset.first()
    finally:
        if lock is not None:
            lock.release()


def integration_key(integration_id) -> uuid.UUID:
    key = parse_uuid(integration_id)
    if key is None:
        raise NotFound(f"Integration {integration_id} not found")
    return key


def get_integration(organization, integration_id) -> Integration:
    return get_for_org(Integration.objects, organization, integration_id, "Integration")


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(12)


def lease_token(item: OutboundQueueItem) -> str:
    """Fresh per lease (the lease id is random) and distinct per message (the sequence)."""
    return f"lt_{item.lease_id}_{item.pk:x}"


# --- enqueue ----------------------------------------------------------------------------------------------

def enqueue(event, use_case: UseCase, mapping: dict, source: dict) -> str | None:
    """Put one catalog event on the stream of the use case's integration (inside the publisher's
    transaction). Idempotent per (use case, event id). ``source`` is the standardised event; the mapping's
    optional transform runs now. A failing transform queues nothing, is recorded, and its error returned."""
    source = {key: value for key, value in source.items() if key not in INTERNAL_KEYS}
    correlation_id = getattr(event, "correlation_id", None) or ""  # set when the publisher passed one
    expression = transform_expression(mapping)
    payload, version, kept_source = source, "", None
    if expression is not None:
        payload, error = _transform(expression, source, use_case.integration)
        if error is not None:
            mon.record([mon.StreamEvent(
                code=mon.MAPPING_ERROR, org_id=str(use_case.organization_id),
                integration_id=str(use_case.integration_id), use_case_id=str(use_case.id),
                event_id=event.event_id, event_name=event.event_name, correlation_id=correlation_id,
                message=f"poll mapping {mapping.get('id')}: {error}; the event was not queued")])
            return error
        version, kept_source = mapping_version(expression), source
    settings = poll_settings(mapping)
    stream = ensure_stream(use_case.integration)
    now = timezone.now()
    sort_time, late = event.event_time, False
    if stream.high_water_time is not None and sort_time < stream.high_water_time:
        sort_time, late = max(now, stream.high_water_time), True  # never before what was already leased
    item = OutboundQueueItem(
        message_id=new_message_id(), organization_id=use_case.organization_id,
        integration_id=use_case.integration_id, use_case_id=use_case.id, event_id=event.event_id,
        event_name=event.event_name, payload=payload, source=kept_source, mapping_version=version,
        correlation_id=correlation_id, sort_time=sort_time, enqueued_at=now, expires_at=now + timedelta(days=settings.retention_days),
    )
    try:
        with transaction.atomic():
            item.save(force_insert=True)
    except IntegrityError:
        return None  # already queued for this use case: idempotent
    rows = [mon.item_event(mon.MSG_ENQUEUED, item, "queued for polling", sequence=item.pk,
                           mapping_version=version or None)]
    if late:
        rows.append(mon.item_event(mon.MSG_LATE_ARRIVAL, item, "event time is before messages already leased; "
                                   "re-keyed to the tail", event_time=format_timestamp(event.event_time)))
    mon.record(rows)
    return None


def _transform(expression: str, source: dict, integration) -> tuple[dict | None, str | None]:
    try:  # $env and the maps, as in every other outbound expression
        result = expressions.evaluate(expression, source, expression_bindings(expression, integration))
    except expressions.ExpressionError as exc:
        return None, f"JSONata error{f' {exc.code}' if exc.code else ''}: {exc.message}"
    if isinstance(result, dict):
        return result, None
    if result is expressions.UNDEFINED:
        return None, "mapping produced no value"
    return None, f"mapping must produce a JSON object, not {type(result).__name__}"


# --- poll -------------------------------------------------------------------------------------------------

def poll(organization, integration_id, data: Any) -> dict[str, Any]:
    """Lease the head-of-line run. Contended, leased, blocked or drained: an empty batch."""
    key = integration_key(integration_id)
    limit = _poll_limit(data)
    events: list[mon.StreamEvent] = []
    # the hot path: the stream row (which carries the organisation) is the only lookup
    with locked_stream(key, organization=organization, skip_locked=True) as stream:
        if stream is None:
            return _batch([], _idle_timeout(organization, key), False)
        timeout = stream.visibility_timeout_seconds
        now = timezone.now()
        if stream.lease_id and stream.lease_expires_at and stream.lease_expires_at > now:
            return _batch([], timeout, False)
        lapsed = bool(stream.lease_id)
        if lapsed:
            _end_lease(stream)
        if stream.blocked_item_id is not None:
            if lapsed:
                stream.save(update_fields=["lease_id", "lease_expires_at"])
            return _batch([], timeout, False)
        batch, has_more = _head_run(stream, limit, now, events)
        if batch:
            lease_id = secrets.token_hex(12)
            OutboundQueueItem.objects.filter(pk__in=[item.pk for item in batch]).update(
                state=LEASED, lease_id=lease_id, delivery_attempts=F("delivery_attempts") + 1)
            for item in batch:
                item.lease_id, item.state = lease_id, LEASED
            stream.lease_id, stream.lease_expires_at = lease_id, now + timedelta(seconds=timeout)
            stream.last_poll_at = now
            stream.high_water_time = max(stream.high_water_time or batch[-1].sort_time, batch[-1].sort_time)
        if batch or lapsed or events:
            stream.save(update_fields=["lease_id", "lease_expires_at", "last_poll_at", "high_water_time",
                                       "blocked_item_id", "blocked_at"])
        mon.record(events)  # in the same transaction as the change
    return _batch(batch, timeout, has_more)


def _idle_timeout(organization, key: uuid.UUID) -> int:
    """Contended or never used: the stream's timeout, or the default (404 for another organisation's)."""
    row = OutboundStream.objects.filter(pk=key, organization=organization).values_list(
        "visibility_timeout_seconds", flat=True).first()
    if row is not None:
        return row
    get_integration(organization, key)
    return DEFAULT_VISIBILITY_TIMEOUT_SECONDS


def _poll_limit(data: Any) -> int:
    if data is None or data == {} or data == b"" or data == "":
        return DEFAULT_POLL_LIMIT
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    unknown = sorted(set(data) - {"limit"})
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: unknown property (allowed: limit)")
    limit = data.get("limit", DEFAULT_POLL_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_BATCH:
        raise ValidationFailed(f"limit: must be an integer from 1 to {MAX_BATCH}")
    return limit


def _end_lease(stream: OutboundStream) -> None:
    """A lapsed lease: its messages become available again (same ids; the next lease gives new tokens)."""
    OutboundQueueItem.objects.filter(integration_id=stream.pk, state=LEASED).update(state=AVAILABLE)
    stream.lease_id, stream.lease_expires_at = "", None


def _head_run(stream: OutboundStream, limit: int, now: datetime,
              events: list[mon.StreamEvent]) -> tuple[list[OutboundQueueItem], bool]:
    """The run to lease, after applying the poison policy to exhausted messages at its front or inside it."""
    batch: list[OutboundQueueItem] = []
    size = 0
    after: OutboundQueueItem | None = None
    while True:
        queryset = OutboundQueueItem.objects.filter(integration_id=stream.pk, state=AVAILABLE, expires_at__gt=now)
        if after is not None:
            queryset = queryset.filter(Q(sort_time__gt=after.sort_time) | Q(sort_time=after.sort_time, id__gt=after.pk))
        candidates = list(queryset.order_by("sort_time", "id")[: limit - len(batch) + 1])
        if not candidates:
            return batch, False
        after = candidates[-1]
        settings = _settings_by_use_case({item.use_case_id for item in candidates}) if any(
            item.delivery_attempts for item in candidates) else {}  # max_delivery_attempts is at least 1
        skipped = 0
        for item in candidates:
            policy = settings.get(item.use_case_id, PollSettings())
            if item.delivery_attempts >= policy.max_delivery_attempts:
                if policy.poison_policy == "dead_letter":
                    _dead_letter(item, EXHAUSTED_REASON, now, policy.retention_days, events)
                    skipped += 1
                    continue
                if not batch:  # block: the stream halts at this head
                    stream.blocked_item_id, stream.blocked_at = item.pk, now
                    events.append(mon.item_event(
                        mon.MSG_HEAD_BLOCKED, item, f"stream blocked: {EXHAUSTED_REASON} "
                        f"({item.delivery_attempts}/{policy.max_delivery_attempts})",
                        delivery_attempts=item.delivery_attempts))
                return batch, bool(batch)  # the run ends before it; it blocks when it reaches the head
            if len(batch) == limit:
                return batch, True
            item_size = len(json.dumps(item.payload, separators=(",", ":"))) + 400
            if batch and size + item_size > RESPONSE_CAP_BYTES:
                return batch, True
            batch.append(item)
            size += item_size
        if not skipped:  # fewer than asked and nothing skipped: the stream is drained
            return batch, False


def _settings_by_use_case(use_case_ids) -> dict[uuid.UUID, PollSettings]:
    """The poison policy of each use case's poll mapping (even when disabled since the enqueue)."""
    rows = UseCase.objects.filter(pk__in=use_case_ids).values_list("pk", "configuration")
    return {pk: poll_settings(poll_mapping(config, enabled_only=False)) for pk, config in rows}


def _dead_letter(item: OutboundQueueItem, reason: str, now: datetime, retention_days: int,
                 events: list[mon.StreamEvent]) -> None:
    """Move to the DLQ; its retention window starts again now."""
    item.state, item.dead_lettered_at, item.reason = DEAD_LETTERED, now, reason[:MAX_REASON]
    item.expires_at = now + timedelta(days=retention_days)
    item.save(update_fields=["state", "dead_lettered_at", "reason", "expires_at"])
    events.append(mon.item_event(mon.MSG_DEAD_LETTERED, item, reason, delivery_attempts=item.delivery_attempts))


def _batch(items: list[OutboundQueueItem], timeout: int, has_more: bool) -> dict[str, Any]:
    return {"messages": [message_as_dict(item) for item in items], "visibility_timeout_seconds": timeout,
            "has_more": has_more}


def message_as_dict(item: OutboundQueueItem) -> dict[str, Any]:
    body = {
        "id": item.message_id,
        "lease_token": lease_token(item),
        "use_case_id": str(item.use_case_id),
        "event_name": item.event_name,
        "event_id": item.event_id,
        "group": item.group,
        "payload": item.payload,
        "enqueued_at": format_timestamp(item.enqueued_at),
        "org_id": str(item.organization_id),
    }
    if item.mapping_version:
        body["mapping_version"] = item.mapping_version
    return body


# --- ack --------------------------------------------------------------------------------------------------

@dataclass
class _Ack:
    id: str
    lease_token: str


def ack(organization, integration_id, data: Any) -> dict[str, Any]:
    """Per id ``accepted`` or ``rejected`` (not_found, stale_lease, out_of_order), in request order."""
    key = integration_key(integration_id)
    acks = _acks(data)
    events: list[mon.StreamEvent] = []
    with locked_stream(key, organization=organization) as stream:
        if stream is None:  # nothing was ever queued (or not this organisation's integration: 404)
            get_integration(organization, key)
            return {"results": [{"id": a.id, "status": "rejected", "reason": "not_found"} for a in acks]}
        integration = stream.integration_id
        now = timezone.now()
        active = bool(stream.lease_id) and stream.lease_expires_at is not None and stream.lease_expires_at > now
        items = OutboundQueueItem.objects.defer("payload", "source")  # an ack never needs the payloads
        leased = list(items.filter(
            integration_id=integration, state=LEASED, lease_id=stream.lease_id).order_by("sort_time", "id")
        ) if active else []
        known = {item.message_id: item for item in leased}
        missing = {a.id for a in acks} - set(known)
        if missing:
            known.update({item.message_id: item for item in items.filter(
                integration_id=integration, message_id__in=missing)})
        results: list[dict[str, Any]] = []
        valid: dict[str, int] = {}
        unblocking: OutboundQueueItem | None = None
        seen: set[str] = set()
        for a in acks:
            item = known.get(a.id)
            result = {"id": a.id, "status": "rejected"}
            results.append(result)
            if item is None or a.id in seen or item.state == DEAD_LETTERED or item.expires_at <= now:
                result["reason"] = "not_found"
            elif not item.lease_id or a.lease_token != lease_token(item):
                result["reason"] = "stale_lease"
            elif item.pk == stream.blocked_item_id and item.state == AVAILABLE:
                result["status"], unblocking = "accepted", item  # the consumer settles the blocked head
            elif item.state != LEASED or not active or item.lease_id != stream.lease_id:
                result["reason"] = "stale_lease"
            else:
                valid[a.id] = len(results) - 1
            seen.add(a.id)
        accepted: list[OutboundQueueItem] = []
        for item in leased:  # prefix-contiguous from the head of the leased batch
            if item.message_id not in valid:
                break
            accepted.append(item)
            results[valid.pop(item.message_id)]["status"] = "accepted"
        for index in valid.values():
            results[index]["reason"] = "out_of_order"
        done = accepted + ([unblocking] if unblocking else [])
        if done:
            OutboundQueueItem.objects.filter(pk__in=[item.pk for item in done]).delete()
            stream.last_ack_at = now
            events.extend(mon.item_event(mon.MSG_ACKED, item, "acknowledged by the consumer",
                                         delivery_attempts=item.delivery_attempts) for item in done)
        if unblocking is not None:
            stream.blocked_item_id, stream.blocked_at = None, None
        if active and len(accepted) == len(leased):
            stream.lease_id, stream.lease_expires_at = "", None  # the whole batch is settled
        stream.save(update_fields=["last_ack_at", "lease_id", "lease_expires_at", "blocked_item_id", "blocked_at"])
        mon.record(events)  # in the same transaction as the change
    return {"results": results}


def _acks(data: Any) -> list[_Ack]:
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    unknown = sorted(set(data) - {"acks"})
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: unknown property (allowed: acks)")
    if "acks" not in data:
        raise ValidationFailed("acks: this field is required")
    items = data["acks"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise ValidationFailed(f"acks: must be an array of 1 to {MAX_BATCH} items")
    acks = []
    for index, entry in enumerate(items):
        if not isinstance(entry, dict):
            raise ValidationFailed(f"acks[{index}]: must be an object {{id, lease_token}}")
        extra = sorted(set(entry) - {"id", "lease_token"})
        if extra:
            raise ValidationFailed(f"acks[{index}].{extra[0]}: unknown property (allowed: id, lease_token)")
        for key in ("id", "lease_token"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ValidationFailed(f"acks[{index}].{key}: must be a non-empty string")
        acks.append(_Ack(entry["id"], entry["lease_token"]))
    return acks


# --- dead-letter queue ------------------------------------------------------------------------------------

def list_dlq(organization, integration_id, params) -> dict[str, Any]:
    """Oldest first, without payloads; keyset pagination behind an opaque ``next_token``."""
    integration = get_integration(organization, integration_id)
    limit = _query_limit(params.get("limit"))
    queryset = OutboundQueueItem.objects.filter(
        integration_id=integration.pk, state=DEAD_LETTERED, expires_at__gt=timezone.now())
    token = params.get("next_token")
    if token:
        after_time, after_id = _decode_token(token)
        queryset = queryset.filter(Q(dead_lettered_at__gt=after_time) | Q(dead_lettered_at=after_time,
                                                                            id__gt=after_id))
    page = list(queryset.order_by("dead_lettered_at", "id")[: limit + 1])
    body: dict[str, Any] = {"items": [dlq_entry(item) for item in page[:limit]]}
    if len(page) > limit:
        last = page[limit - 1]
        body["next_token"] = _encode_token(last.dead_lettered_at, last.pk)
    return body


def dlq_entry(item: OutboundQueueItem) -> dict[str, Any]:
    return {
        "id": item.message_id,
        "use_case_id": str(item.use_case_id),
        "event_name": item.event_name,
        "event_id": item.event_id,
        "enqueued_at": format_timestamp(item.enqueued_at),
        "dead_lettered_at": format_timestamp(item.dead_lettered_at),
        "delivery_attempts": item.delivery_attempts,
        "reason": item.reason,
        "expires_at": format_timestamp(item.expires_at),
    }


def _query_limit(value) -> int:
    if value in (None, ""):
        return DEFAULT_DLQ_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if not 1 <= limit <= MAX_BATCH:
        raise ValidationFailed(f"limit: must be an integer from 1 to {MAX_BATCH}")
    return limit


def _encode_token(moment: datetime, pk: int) -> str:
    return paging.encode_position(moment, pk)


def _decode_token(token: str) -> tuple[datetime, int]:
    position = paging.decode_position(token, _parse_moment, int)
    if position is None:
        raise ValidationFailed("next_token: not a token from a previous page")
    return position


def _parse_moment(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(text)
    return moment


def get_dlq_item(organization, integration_id, message_id: str) -> OutboundQueueItem:
    """One DLQ entry with its payload (the UI's "show payload")."""
    integration = get_integration(organization, integration_id)
    item = OutboundQueueItem.objects.filter(integration_id=integration.pk, message_id=str(message_id),
                                            state=DEAD_LETTERED).first()
    if item is None:
        raise NotFound(f"DLQ message {message_id} not found")
    return item


def redrive(organization, integration_id, data: Any) -> dict[str, Any]:
    """Re-enqueue DLQ entries at the tail with new ids, zero attempts and fresh retention."""
    integration = get_integration(organization, integration_id)
    ids, reapply = _redrive_request(data)
    ensure_stream(integration)
    events: list[mon.StreamEvent] = []
    with locked_stream(integration.pk) as stream:
        now = timezone.now()
        found = {item.message_id: item for item in OutboundQueueItem.objects.filter(
            integration_id=integration.pk, state=DEAD_LETTERED, expires_at__gt=now, message_id__in=ids)}
        configs = dict(UseCase.objects.filter(pk__in={i.use_case_id for i in found.values()}).values_list(
            "pk", "configuration"))
        plans: list[tuple[int, OutboundQueueItem, dict, str]] = []
        for index, message_id in enumerate(ids):
            item = found.get(message_id)
            if item is None:
                continue
            payload, version = item.payload, item.mapping_version
            if reapply:
                payload, version = _reapplied(item, configs.get(item.use_case_id), f"ids[{index}]")
            plans.append((index, item, payload, version))
        tail = max(now, stream.high_water_time or now)
        results = [{"id": message_id, "status": "not_found"} for message_id in ids]
        for index, item, payload, version in plans:
            if found.pop(item.message_id, None) is None:
                continue  # the same id twice: redriven once
            settings = poll_settings(poll_mapping(configs.get(item.use_case_id), enabled_only=False))
            original = item.message_id
            OutboundQueueItem.objects.filter(pk=item.pk).delete()
            copy = OutboundQueueItem.objects.create(
                message_id=new_message_id(), organization_id=item.organization_id,
                integration_id=item.integration_id, use_case_id=item.use_case_id, event_id=item.event_id,
                event_name=item.event_name, payload=payload, source=item.source, mapping_version=version,
                correlation_id=item.correlation_id, sort_time=tail, enqueued_at=now, expires_at=now + timedelta(days=settings.retention_days),
            )
            results[index]["status"] = "redriven"
            events.append(mon.item_event(mon.MSG_ENQUEUED, copy, f"redriven from the DLQ ({original})",
                                         redriven_from=original, sequence=copy.pk))
        mon.record(events)  # in the same transaction as the change
    return {"results": results}


def _redrive_request(data: Any) -> tuple[list[str], bool]:
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    unknown = sorted(set(data) - {"ids", "reapply_mapping"})
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: unknown property (allowed: ids, reapply_mapping)")
    ids = data.get("ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_BATCH:
        raise ValidationFailed(f"ids: must be an array of 1 to {MAX_BATCH} message ids")
    for index, value in enumerate(ids):
        if not isinstance(value, str) or not value:
            raise ValidationFailed(f"ids[{index}]: must be a non-empty string")
    reapply = data.get("reapply_mapping", False)
    if not isinstance(reapply, bool):
        raise ValidationFailed("reapply_mapping: must be a boolean")
    return ids, reapply


def _reapplied(item: OutboundQueueItem, configuration, path: str) -> tuple[dict, str]:
    """The payload under the use case's current poll transform (or the raw event when it has none)."""
    source = item.source if item.source is not None else item.payload
    expression = transform_expression(poll_mapping(configuration, enabled_only=False))
    if expression is None:
        return source, ""
    payload, error = _transform(expression, source, item.integration)
    if error is not None:
        raise ValidationFailed(f"{path}: reapply_mapping failed for {item.message_id}: {error}")
    return payload, mapping_version(expression)


# --- unblock ----------------------------------------------------------------------------------------------

def unblock(organization, integration_id, data: Any) -> dict[str, Any]:
    """Dead-letter the blocked head with the operator's reason; a no-op (safe to retry) when not blocked."""
    integration = get_integration(organization, integration_id)
    reason = _unblock_reason(data)
    ensure_stream(integration)
    events: list[mon.StreamEvent] = []
    with locked_stream(integration.pk) as stream:
        if stream.blocked_item_id is None:
            return {"unblocked": False}
        now = timezone.now()
        item = OutboundQueueItem.objects.filter(pk=stream.blocked_item_id, state=AVAILABLE).first()
        stream.blocked_item_id, stream.blocked_at = None, None
        stream.save(update_fields=["blocked_item_id", "blocked_at"])
        if item is None:
            return {"unblocked": False}
        settings = _settings_by_use_case([item.use_case_id]).get(item.use_case_id, PollSettings())
        _dead_letter(item, reason or OPERATOR_REASON, now, settings.retention_days, events)
        mon.record(events)  # in the same transaction as the change
    return {"unblocked": True, "dead_lettered_id": item.message_id}


def _unblock_reason(data: Any) -> str:
    if data is None or data == {} or data == "" or data == b"":
        return ""
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    unknown = sorted(set(data) - {"reason"})
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: unknown property (allowed: reason)")
    reason = data.get("reason", "")
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise ValidationFailed(f"reason: must be a string of at most {MAX_REASON} characters")
    return reason.strip()


# --- expiry -----------------------------------------------------------------------------------------------

def reap_expired(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Drop messages and DLQ entries past ``expires_at``; a message never leased logs MSG_EXPIRED_UNPOLLED.
    A stream that is busy right now is reaped on the next run (polls already skip expired messages)."""
    now = now or timezone.now()
    integration_ids = set(OutboundQueueItem.objects.filter(expires_at__lte=now).values_list(
        "integration_id", flat=True).distinct())
    removed = 0
    for integration_id in integration_ids:
        while True:
            count = _reap_batch(integration_id, now, batch_size)
            removed += max(count, 0)
            if count < batch_size:
                break
    return removed


def _reap_batch(integration_id, now: datetime, batch_size: int) -> int:
    """One transaction of the reaper on one stream; -1 when the stream is busy (next run)."""
    with locked_stream(integration_id, skip_locked=True) as stream:
        if stream is None and OutboundStream.objects.filter(pk=integration_id).exists():
            return -1
        expired = list(OutboundQueueItem.objects.defer("payload", "source").filter(
            integration_id=integration_id, expires_at__lte=now).order_by("id")[:batch_size])
        events = [mon.item_event(mon.MSG_EXPIRED_UNPOLLED, item, "expired before it was ever polled",
                                 expires_at=format_timestamp(item.expires_at))
                  for item in expired if item.state == AVAILABLE and item.delivery_attempts == 0]
        OutboundQueueItem.objects.filter(pk__in=[item.pk for item in expired]).delete()
        if stream is not None and stream.blocked_item_id in {item.pk for item in expired}:
            stream.blocked_item_id, stream.blocked_at = None, None
            stream.save(update_fields=["blocked_item_id", "blocked_at"])
        mon.record(events)  # in the same transaction as the change
        return len(expired)


# --- status -----------------------------------------------------------------------------------------------

def poll_statuses(integration: Integration, use_case_ids) -> dict[str, dict[str, Any]]:
    """``OutboundPollStatus`` for the given (poll-mode) use cases, keyed by use case id."""
    now = timezone.now()
    stream = OutboundStream.objects.filter(pk=integration.pk).first()
    live = {row["use_case_id"]: row for row in OutboundQueueItem.objects.filter(
        integration_id=integration.pk, state__in=LIVE, expires_at__gt=now,
    ).values("use_case_id").annotate(depth=Count("id"), oldest=Min("enqueued_at"))}
    dlq = dict(OutboundQueueItem.objects.filter(
        integration_id=integration.pk, state=DEAD_LETTERED, expires_at__gt=now,
    ).values("use_case_id").annotate(n=Count("id")).values_list("use_case_id", "n"))
    statuses = {}
    for use_case_id in use_case_ids:
        key = uuid.UUID(str(use_case_id))
        row = live.get(key)
        statuses[str(use_case_id)] = {
            "queue_depth": row["depth"] if row else 0,
            "oldest_unconsumed_age_seconds": max(0, int((now - row["oldest"]).total_seconds())) if row else None,
            "last_poll_at": format_timestamp(stream.last_poll_at) if stream and stream.last_poll_at else None,
            "last_ack_at": format_timestamp(stream.last_ack_at) if stream and stream.last_ack_at else None,
            "blocked": bool(stream and stream.blocked_item_id is not None),
            "dlq_count": dlq.get(key, 0),
        }
    return statuses


def poll_conflicts(status: dict[str, Any]) -> list[dict[str, str]]:
    conflicts = []
    if status["blocked"]:
        conflicts.append({"type": "stream_blocked", "message": "The outbound stream is halted by a poison message "
                          "awaiting operator unblock or a consumer ack"})
    if status["dlq_count"]:
        conflicts.append({"type": "dlq_items_present", "message": f"{status['dlq_count']} dead-lettered "
                          "message(s) await redrive or expiry"})
    return conflicts


@dataclass
class StreamOverview:
    """What the UI's stream page shows (one query set, read-only)."""

    stream: OutboundStream | None
    depth: int
    leased: int
    oldest_enqueued_at: datetime | None
    blocked_item: OutboundQueueItem | None
    dlq_count: int


def stream_overview(integration: Integration) -> StreamOverview:
    now = timezone.now()
    stream = OutboundStream.objects.filter(pk=integration.pk).first()
    live = OutboundQueueItem.objects.filter(integration_id=integration.pk, state__in=LIVE, expires_at__gt=now)
    counts = live.aggregate(depth=Count("id"), leased=Count("id", filter=Q(state=LEASED)),
                            oldest=Min("enqueued_at"))
    blocked = (OutboundQueueItem.objects.filter(pk=stream.blocked_item_id).first()
               if stream and stream.blocked_item_id is not None else None)
    dlq_count = OutboundQueueItem.objects.filter(integration_id=integration.pk, state=DEAD_LETTERED,
                                                 expires_at__gt=now).count()
    return StreamOverview(stream, counts["depth"], counts["leased"], counts["oldest"], blocked, dlq_count)


def set_visibility_timeout(organization, integration_id, seconds: Any) -> OutboundStream:
    integration = get_integration(organization, integration_id)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 10 <= seconds <= 43_200:
        raise ValidationFailed("visibility_timeout_seconds: must be an integer from 10 to 43200")
    stream = ensure_stream(integration)
    OutboundStream.objects.filter(pk=stream.pk).update(visibility_timeout_seconds=seconds)
    stream.visibility_timeout_seconds = seconds
    return stream


def add_poll_statuses(integration: Integration, use_cases, statuses: list[dict[str, Any]]) -> None:
    """Add ``poll`` and the poll conflicts to getOutboundStatus entries of use cases with a poll mapping."""
    poll_ids = [str(uc.id) for uc in use_cases if poll_mapping(uc.configuration, enabled_only=False)]
    if not poll_ids:
        return
    by_id = poll_statuses(integration, poll_ids)
    for entry in statuses:
        status = by_id.get(entry["useCaseId"])
        if status is None:
            continue
        entry["poll"] = status
        conflicts = poll_conflicts(status)
        entry["conflicts"] = entry.get("conflicts", []) + conflicts
        if conflicts and entry["status"] == "ok":
            entry["status"] = "conflict"
