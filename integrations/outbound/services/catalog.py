"""Catalog events -> outbound use cases -> mappings -> deliveries (docs/outbound.md), resend,
getOutboundStatus.

A published event selects every enabled outbound use case of the organisation whose ``event_catalog_event``
is the event's name and whose ``event_filter`` matches (``outbound_selection``), and each of its enabled
mappings. A webhook mapping mints an ACK (``_ack_id``, unless ACK tracking is off for the event), evaluates
its JSONata over the event and becomes one delivery to its webhook. Whatever cannot be sent (JSONata error,
a result that is not an object, a missing or disabled webhook) is recorded as a failed delivery with the
reason; it never fails the publication. Mappings of other delivery types are planned by their own entry
in ``DELIVERY_PLANNERS``.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from erpintegration.exceptions import Conflict, ValidationFailed
from erpintegration.lib.ids import get_for_org
from integrations.configuration.outbound import format_timestamp
from integrations.inbound.services import tracking
from integrations.mapping import jsonata as expressions
from integrations.models import CatalogEvent, DeliveryStatus, Integration, OutboundDelivery, UseCase, Webhook
from integrations.outbound.services import stream as outbound_stream
from integrations.outbound.services.delivery import contains_nul, enqueue_delivery
from integrations.outbound.services.hydration import hydrate
from integrations.outbound.services.selection import enabled_mappings, select_use_cases
from integrations.outbound.services.webhooks import find_webhook
from integrations.setup.services.mapping_environment import expression_bindings
from monitoring import services as monitoring

EVENT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,254}$")
EVENT_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DEFAULT_SOURCE = "erpintegration"


def new_event_id(now_ms: int | None = None) -> str:
    """A ULID: 48-bit millisecond timestamp + 80 random bits, Crockford base32 (sorts by time)."""
    value = ((now_ms if now_ms is not None else int(time.time() * 1000)) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


@dataclass
class Publication:
    event: CatalogEvent
    deliveries: list[OutboundDelivery]


# --- publishing -------------------------------------------------------------------------------------------

def publish_event(organization, data: Any, *, source: str = DEFAULT_SOURCE) -> Publication:
    """Store a catalog event ``{event_name, payload, event_id?, event_time?, event_version?}`` and plan its
    deliveries; they are sent after commit."""
    fields = _validated_event(data)
    correlation_id = data.get("correlation_id")  # optional: joins the deliveries to a trace (monitoring v2)
    if correlation_id is not None and (not isinstance(correlation_id, str) or not 0 < len(correlation_id) <= 255):
        raise ValidationFailed("correlation_id: must be a string of 1-255 characters")
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = CatalogEvent.objects.create(organization=organization, source=source, **fields)
        except IntegrityError:
            raise Conflict(f"event_id: an event with id {fields['event_id']!r} was already published")
        event.correlation_id = correlation_id
        planned = plan_deliveries(event)
    for delivery in planned:  # without a broker the first attempt already ran on commit
        delivery.refresh_from_db()
    return Publication(event, planned)


def _validated_event(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    name = data.get("event_name")
    if name is None:
        raise ValidationFailed("event_name: this field is required")
    if not isinstance(name, str) or not EVENT_NAME_RE.match(name):
        raise ValidationFailed("event_name: must be a name like 'contract.created' (letters, digits, . _ - :)")
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        raise ValidationFailed("payload: must be a JSON object")
    if contains_nul(payload):
        raise ValidationFailed("payload: NUL characters (\\u0000) are not supported")
    event_id = data.get("event_id")
    if event_id is None:
        event_id = new_event_id()
    elif not isinstance(event_id, str) or not EVENT_ID_RE.match(event_id):
        raise ValidationFailed("event_id: must be 1-64 characters of letters, digits, '_' or '-'")
    event_time = timezone.now()
    if data.get("event_time") is not None:
        try:
            parsed = parse_datetime(data["event_time"]) if isinstance(data["event_time"], str) else None
        except ValueError:  # well-formed but impossible, e.g. month 13
            parsed = None
        if parsed is None:
            raise ValidationFailed("event_time: must be an ISO 8601 date-time")
        event_time = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    version = data.get("event_version", "1")
    if not isinstance(version, str | int) or isinstance(version, bool) or not 0 < len(str(version)) <= 32:
        raise ValidationFailed("event_version: must be a short string")
    return {"event_id": event_id, "event_name": name, "payload": payload, "event_time": event_time,
            "event_version": str(version)}


def subscribed_use_cases(organization, event_name: str) -> list[UseCase]:
    """Enabled outbound use cases of the organisation listening to ``event_name``."""
    candidates = UseCase.objects.filter(organization=organization, type="outbound", enabled=True).select_related(
        "integration"
    ).order_by("created_at", "id")
    return [uc for uc in candidates
            if isinstance(uc.configuration, dict) and uc.configuration.get("event_catalog_event") == event_name]


def common_fields(event: CatalogEvent) -> dict[str, Any]:
    return {
        "_org_id": event.organization_id,
        "_event_time": format_timestamp(event.event_time),
        "_event_id": event.event_id,
        "_event_name": event.event_name,
        "_event_version": event.event_version,
        "_event_source": event.source,
    }


def plan_deliveries(event: CatalogEvent) -> list[OutboundDelivery]:
    """One delivery per enabled mapping of every selected use case (inside the caller's transaction).

    Use cases whose filter skipped the event, and mappings that deliver nothing, are recorded on the
    event's ``skipped`` list.
    """
    candidates = subscribed_use_cases(event.organization, event.event_name)
    source = {**(event.payload or {}), **common_fields(event)}
    if any((uc.configuration or {}).get("event_filter") for uc in candidates):
        source = hydrate(event.organization, source)  # filters see relations resolved from the store
    selection = select_use_cases(candidates, source)
    planned, skipped = [], list(selection.skipped)
    for use_case in selection.use_cases:
        for mapping in enabled_mappings(use_case):
            delivery_type = (mapping.get("delivery") or {}).get("type", "webhook")
            planner = DELIVERY_PLANNERS.get(delivery_type)
            outcome = planner(event, use_case, mapping, track_acks=selection.track_acks) if planner else {
                "use_case_id": str(use_case.pk), "mapping_id": str(mapping.get("id") or ""),
                "code": "DELIVERY_TYPE_UNSUPPORTED", "message": f"delivery type {delivery_type!r} is not supported"}
            for item in outcome if isinstance(outcome, list) else [outcome]:
                if item is not None:  # None: queued on the integration's stream for polling
                    (planned if isinstance(item, OutboundDelivery) else skipped).append(item)
    if skipped:
        event.skipped = skipped
        CatalogEvent.objects.filter(pk=event.pk).update(skipped=skipped)
    return planned


def _plan_file_proxy(event: CatalogEvent, use_case: UseCase, mapping: dict, *, track_acks: bool):
    """A file_proxy mapping: its target is resolved now (a dangling one is USE_CASE_NOT_FOUND) and again when
    sending. The split over ``event_attachments`` happens once, here: one delivery per attachment with
    ``fan_out.enabled``, else one for all (item -1), so item indices and the per-item idempotency record
    (the unique delivery per event, use case, mapping and item) stay stable across retries and re-publishes.
    No attachments: nothing to send (FAN_OUT_EMPTY)."""
    slug = str((mapping.get("delivery") or {}).get("use_case_slug") or "")
    target = file_proxy_target(use_case.integration_id, slug)
    outcome = {"use_case_id": str(use_case.pk), "mapping_id": str(mapping.get("id") or "")}
    if not target["resolved"]:
        reason = target["unresolved_reason"]
        code = "USE_CASE_NOT_FOUND" if reason == "not_found" else "USE_CASE_INVALID_TYPE" if reason in (
            "wrong_type", "wrong_direction") else "USE_CASE_DISABLED"
        return {**outcome, "code": code, "message": f"file_proxy target {slug!r}: {reason.replace('_', ' ')}"}
    attachments = (event.payload or {}).get("event_attachments")
    if not isinstance(attachments, list) or not attachments:
        return {**outcome, "code": "FAN_OUT_EMPTY", "message": "the event carries no event_attachments"}
    upload = UseCase.objects.get(pk=target["target_use_case_id"])
    fan_out = bool(((upload.configuration or {}).get("fan_out") or {}).get("enabled"))
    items = [(index, [item]) for index, item in enumerate(attachments)] if fan_out else [(-1, attachments)]
    already = set(OutboundDelivery.objects.filter(
        organization=event.organization, event_id=event.event_id, use_case_id=use_case.id,
        mapping_id=outcome["mapping_id"], delivery_type="file_proxy", resend_of__isnull=True,
    ).values_list("item_index", flat=True))
    return [_create_delivery(
        event_id=event.event_id, event_name=event.event_name, organization=event.organization,
        integration_id=use_case.integration_id, use_case_id=use_case.id, mapping=mapping, webhook=None,
        webhook_ref="", payload={"files": files}, ack_id="", error=None,
        delivery_type="file_proxy", target_slug=slug, item_index=index,
    ) for index, files in items if index not in already]


def _plan_one(event: CatalogEvent, use_case: UseCase, mapping: dict, *, track_acks: bool = True) -> OutboundDelivery:
    organization = event.organization
    webhook_ref = str((mapping.get("delivery") or {}).get("webhook_id") or "")
    webhook = find_webhook(organization, webhook_ref)
    ack = tracking.create_tracking_record(
        organization, integration=use_case.integration, use_case_id=use_case.id, event_id=event.event_id,
        event_name=event.event_name, webhook_id=webhook_ref,
    ) if track_acks else None
    source = {**(event.payload or {}), **common_fields(event)}
    if ack is not None:
        source["_ack_id"] = ack.ack_id
    payload, error = None, None
    try:
        text = mapping.get("jsonata_expression") or ""
        result = expressions.evaluate(text, source, expression_bindings(text, use_case.integration))
        if isinstance(result, dict) and contains_nul(result):
            error = "mapping result contains NUL characters (\\u0000), which cannot be stored or sent"
        elif isinstance(result, dict):
            payload = result
        else:
            error = ("mapping produced no value" if result is expressions.UNDEFINED
                     else f"mapping must produce a JSON object, not {type(result).__name__}")
    except expressions.ExpressionError as exc:
        error = f"JSONata error{f' {exc.code}' if exc.code else ''}: {exc.message}"
    if error is None and webhook is None:
        error = f"webhook {webhook_ref!r} not found"
    elif error is None and not webhook.enabled:
        error = f"webhook {webhook.id} is disabled"
    if error is not None and ack is not None:
        ack.delete()  # nothing will be delivered, so nothing can be acknowledged
    return _create_delivery(
        event_id=event.event_id, event_name=event.event_name, organization=organization,
        integration_id=use_case.integration_id, use_case_id=use_case.id, mapping=mapping, webhook=webhook, webhook_ref=webhook_ref, payload=payload,
        ack_id=ack.ack_id if error is None and ack is not None else "", error=error,
        correlation_id=getattr(event, "correlation_id", None),
    )


def _plan_poll(event: CatalogEvent, use_case: UseCase, mapping: dict, *, track_acks: bool) -> dict | None:
    """A poll mapping: the ERP pulls it from the integration's stream (no webhook, no ACK tracking row).
    None once queued (or already queued); a ``skipped`` entry when its enqueue-time transform failed."""
    error = outbound_stream.enqueue(event, use_case, mapping, {**(event.payload or {}), **common_fields(event)})
    if error is None:
        return None
    return {"use_case_id": str(use_case.pk), "mapping_id": str(mapping.get("id") or ""),
            "code": "MAPPING_EXPRESSION_FAILED", "message": f"poll transform: {error}; nothing was queued"}


#: How each ``delivery.type`` is planned: a delivery row, a ``skipped`` entry explaining why not, or None
#: (poll: queued on the stream).
DELIVERY_PLANNERS = {"webhook": _plan_one, "file_proxy": _plan_file_proxy, "poll": _plan_poll}


def _create_delivery(*, event_id, event_name, organization, integration_id, use_case_id, mapping: dict,
                     webhook: Webhook | None, webhook_ref, payload, ack_id, error,
                     resend_of: OutboundDelivery | None = None, correlation_id: str | None = None,
                     delivery_type: str = "webhook", target_slug: str = "", item_index: int | None = None
                     ) -> OutboundDelivery:
    """The delivery and its monitoring row; a pending one is sent after commit."""
    status = DeliveryStatus.FAILED if error else DeliveryStatus.PENDING
    delivery = OutboundDelivery.objects.create(
        organization=organization, integration_id=integration_id, use_case_id=use_case_id, mapping_id=str(mapping.get("id") or ""), webhook=webhook,
        webhook_ref=webhook_ref, event_id=event_id, event_name=event_name, payload=payload, ack_id=ack_id,
        status=status, last_error=error or "", next_attempt_at=None if error else timezone.now(),
        resend_of=resend_of, delivery_type=delivery_type, target_slug=target_slug, item_index=item_index,
    )
    metadata = {
        "delivery_id": str(delivery.id),
        "webhook_id": webhook_ref,
        "mapping_id": delivery.mapping_id,
        "mapping_name": mapping.get("name"),
        "ack_id": ack_id or None,
    }
    if webhook is not None:
        metadata["webhook_name"] = webhook.name
    if resend_of is not None:
        metadata["resend_of"] = str(resend_of.id)
    row = monitoring.record_outbound_delivery(
        org_id=organization.id, event_id=event_id, event_name=event_name,
        integration_id=delivery.integration_id, use_case_id=delivery.use_case_id, mapping_id=delivery.mapping_id,
        webhook_config_id=webhook_ref, url=webhook.url if webhook else "", payload=payload, metadata=metadata,
        execution_context={"delivery_id": str(delivery.id), "attempts": 0}, status=status, error_message=error,
        correlation_id=correlation_id,
    )
    OutboundDelivery.objects.filter(pk=delivery.pk).update(monitoring_event_id=row.pk)
    delivery.monitoring_event_id = row.pk
    if not error:
        enqueue_delivery(delivery.id, delivery_type)
    return delivery


# --- resend -----------------------------------------------------------------------------------------------

def get_delivery(organization, delivery_id) -> OutboundDelivery:
    return get_for_org(OutboundDelivery.objects, organization, delivery_id, "Delivery")


def resend_delivery(organization, delivery_id) -> OutboundDelivery:
    """Send a settled delivery's payload again as a new delivery (new message id, attempts from zero), to
    the webhook's current URL and secret. The payload is sent as it was, ``_ack_id`` included. A delivery
    that never had a payload (mapping error) cannot be resent: fix the mapping and publish again."""
    original = get_delivery(organization, delivery_id)
    if original.status == DeliveryStatus.PENDING:
        raise Conflict("delivery is still pending; wait for it to settle before resending")
    if original.payload is None:
        raise Conflict(f"delivery has no payload to resend ({original.last_error or 'mapping failed'})")
    webhook = original.webhook
    error = None
    if original.delivery_type == "file_proxy":
        pass  # the upload use case is resolved again when the resend is sent
    elif webhook is None:
        error = f"webhook {original.webhook_ref!r} not found"
    elif not webhook.enabled:
        error = f"webhook {webhook.id} is disabled"
    use_case = UseCase.objects.filter(organization=organization, pk=original.use_case_id).first()
    mapping = _mapping_of(use_case, original.mapping_id) or {"id": original.mapping_id}
    with transaction.atomic():
        delivery = _create_delivery(
            event_id=original.event_id, event_name=original.event_name, organization=organization,
            integration_id=original.integration_id, use_case_id=original.use_case_id, mapping=mapping,
            webhook=webhook, webhook_ref=original.webhook_ref, payload=original.payload, ack_id=original.ack_id,
            error=error, resend_of=original, delivery_type=original.delivery_type,
            target_slug=original.target_slug, item_index=original.item_index,
        )
    delivery.refresh_from_db()
    return delivery


def _mapping_of(use_case: UseCase | None, mapping_id: str) -> dict | None:
    if use_case is None or not isinstance(use_case.configuration, dict):
        return None
    for mapping in use_case.configuration.get("mappings") or []:
        if isinstance(mapping, dict) and str(mapping.get("id")) == mapping_id:
            return mapping
    return None


def delivery_as_dict(delivery: OutboundDelivery) -> dict[str, Any]:
    return {
        "delivery_id": str(delivery.id),
        "event_id": delivery.event_id,
        "event_name": delivery.event_name,
        "integration_id": str(delivery.integration_id) if delivery.integration_id else None,
        "use_case_id": str(delivery.use_case_id) if delivery.use_case_id else None,
        "mapping_id": delivery.mapping_id,
        "webhook_id": delivery.webhook_ref,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "error": delivery.last_error or None,
        "resend_of": str(delivery.resend_of_id) if delivery.resend_of_id else None,
        "created_at": format_timestamp(delivery.created_at),
    }


# --- getOutboundStatus ------------------------------------------------------------------------------------

def outbound_status(organization, integration_id) -> list[dict[str, Any]]:
    """``OutboundUseCaseStatus`` per outbound use case of the integration (docs/outbound.md, outbound use
    cases).

    ``eventEnabled`` is null: the self-hosted event catalog has no per-event switch (every published event is
    delivered), so it can never conflict. A webhook id that matches no webhook of ours reports
    ``enabled: null`` (cannot be checked), which never produces a conflict either.
    """
    integration = _integration(organization, integration_id)
    use_cases = UseCase.objects.filter(integration=integration, type="outbound").order_by("created_at", "id")
    statuses = [_use_case_status(organization, uc) for uc in use_cases]
    outbound_stream.add_poll_statuses(integration, use_cases, statuses)
    return statuses


def _integration(organization, integration_id) -> Integration:
    return get_for_org(Integration.objects, organization, integration_id, "Integration")


def _use_case_status(organization, use_case: UseCase) -> dict[str, Any]:
    config = use_case.configuration if isinstance(use_case.configuration, dict) else {}
    event_name = config.get("event_catalog_event")
    event_enabled = None
    webhooks = _webhook_statuses(organization, config.get("mappings") or [])
    conflicts: list[dict[str, Any]] = []
    if use_case.enabled:
        if event_enabled is False:
            conflicts.append({"type": "event_disabled",
                              "message": f"Event {event_name} is disabled while the use case is enabled"})
        if webhooks and all(w["enabled"] is False for w in webhooks):
            conflicts.append({"type": "all_webhooks_disabled",
                              "message": "All webhooks are disabled while the use case is enabled"})
        status = "conflict" if conflicts else "ok"
    else:
        if event_enabled is True:
            conflicts.append({"type": "event_enabled_while_disabled",
                              "message": f"Event {event_name} is enabled while the use case is disabled"})
        for webhook in webhooks:
            if webhook["enabled"] is True:
                label = webhook.get("webhookName") or webhook["webhookId"]
                conflicts.append({"type": "webhook_enabled_while_disabled", "webhookId": webhook["webhookId"],
                                  "message": f"Webhook {label} is enabled while the use case is disabled"})
        status = "disabled"
    body: dict[str, Any] = {
        "useCaseId": str(use_case.id),
        "name": use_case.name,
        "useCaseEnabled": use_case.enabled,
        "eventEnabled": event_enabled,
        "webhooks": webhooks,
        "status": status,
        "conflicts": conflicts,
    }
    if isinstance(event_name, str):
        body["eventCatalogEvent"] = event_name
    targets = [_file_proxy_status(use_case.integration_id, m) for m in config.get("mappings") or []
               if isinstance(m, dict) and (m.get("delivery") or {}).get("type") == "file_proxy"]
    if targets:
        body["file_proxy"] = targets
    return body


def file_proxy_target(integration_id, slug: str) -> dict[str, Any]:
    """Resolve a file_proxy delivery's ``use_case_slug`` in the integration (``OutboundFileProxyTargetStatus``
    without ``mapping_id``): an enabled upload-direction file_proxy use case, or why not."""
    status: dict[str, Any] = {"use_case_slug": slug, "resolved": False}
    target = UseCase.objects.filter(integration_id=integration_id, slug=slug).first() if slug else None
    if target is None:
        return {**status, "unresolved_reason": "not_found"}
    status.update(target_use_case_id=str(target.pk), target_enabled=target.enabled,
                  target_updated_at=format_timestamp(target.updated_at))
    direction = (target.configuration or {}).get("direction", "download") if isinstance(
        target.configuration, dict) else "download"
    if target.type != "file_proxy":
        status["unresolved_reason"] = "wrong_type"
    elif direction != "upload":
        status["unresolved_reason"] = "wrong_direction"
    elif not target.enabled:
        status["unresolved_reason"] = "disabled"
    else:
        status["resolved"] = True
    return status


def _file_proxy_status(integration_id, mapping: dict) -> dict[str, Any]:
    slug = str((mapping.get("delivery") or {}).get("use_case_slug") or "")
    return {"mapping_id": str(mapping.get("id") or ""), **file_proxy_target(integration_id, slug)}


def _webhook_statuses(organization, mappings: list) -> list[dict[str, Any]]:
    """Distinct webhook ids across all mappings, in order of first use, with our webhook's name and flag."""
    seen: dict[str, dict[str, Any]] = {}
    for mapping in mappings:
        delivery = mapping.get("delivery") if isinstance(mapping, dict) else None
        webhook_id = delivery.get("webhook_id") if isinstance(delivery, dict) else None
        if not isinstance(webhook_id, str) or webhook_id in seen:
            continue
        webhook = find_webhook(organization, webhook_id)
        status: dict[str, Any] = {"webhookId": webhook_id, "enabled": webhook.enabled if webhook else None}
        name = webhook.name if webhook else delivery.get("webhook_name")
        if isinstance(name, str):
            status["webhookName"] = name
        seen[webhook_id] = status
    return list(seen.values())


# --- retention --------------------------------------------------------------------------------------------

def purge_outbound_history(*, now=None, batch_size: int = 5000) -> dict[str, int]:
    """Delete catalog events and settled deliveries older than ``OUTBOUND_RETENTION_DAYS`` (pending ones are
    kept until they settle). Monitoring rows have their own retention."""
    from datetime import timedelta

    from django.conf import settings

    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOUND_RETENTION_DAYS)
    settled = OutboundDelivery.objects.filter(created_at__lt=cutoff).exclude(status=DeliveryStatus.PENDING)
    return {
        "deliveries": _delete_in_batches(settled, batch_size),
        "catalog_events": _delete_in_batches(CatalogEvent.objects.filter(created_at__lt=cutoff), batch_size),
    }


def _delete_in_batches(queryset, batch_size: int) -> int:
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        total += queryset.model.objects.filter(pk__in=ids).delete()[0]
