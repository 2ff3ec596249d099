"""triggerErp (docs/outbound.md, triggerErp): the automation action ``inform-erp`` calls one webhook
synchronously.

The entity comes from our entity store; the payload follows epilot's automation-trigger webhook shape
(``metadata``, ``entity``, ``relations``, ``activity``) plus ``_ack_id``. The call is signed like every outbound
delivery, made once (the automation retries on its side), and logged as an inbound monitoring row with
``event_type=TRIGGER`` and ``sync_type=webhook`` for the integration whose outbound use cases use the webhook.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from entities.models import Entity, EntityRelation
from erpintegration.exceptions import ValidationFailed
from erpintegration.lib.ids import parse_uuid
from integrations.configuration.outbound import format_timestamp
from integrations.inbound.services import tracking
from integrations.models import Integration, UseCase, Webhook
from integrations.outbound.services.catalog import new_event_id
from integrations.outbound.services.delivery import send_signed
from integrations.outbound.services.webhooks import find_webhook
from monitoring import services as monitoring
from monitoring.models import ErrorCategory, InboundStatus, InboundSyncType

REQUIRED_FIELDS = ("execution_id", "org_id", "webhook_id", "flow_id", "created_at", "action_id", "flow_action_id",
                   "flow_name", "activity_id", "entity_id")
EVENT_NAME = "automation_flow_target"
MAX_RELATIONS = 100


def trigger_erp(organization, data: Any) -> dict[str, Any]:
    """Validate, build the payload, call the webhook, record; returns a ``TriggerWebhookResp``."""
    request = _validated(organization, data)
    webhook = find_webhook(organization, request["webhook_id"])
    if webhook is None:
        raise ValidationFailed(f"webhook_id: webhook {request['webhook_id']} not found", code="WEBHOOK_NOT_FOUND")
    if not webhook.enabled:
        raise ValidationFailed(f"webhook_id: webhook {webhook.id} is disabled", code="WEBHOOK_DISABLED")
    entity_key = parse_uuid(request["entity_id"])
    entity = Entity.objects.filter(organization=organization, pk=entity_key, deleted_at__isnull=True).first() \
        if entity_key else None
    if entity is None:
        raise ValidationFailed(f"entity_id: entity {request['entity_id']} not found", code="ENTITY_NOT_FOUND")

    event_id = new_event_id()
    integration, use_case_id = _integration_using(organization, webhook)
    integration_id = str(integration.id) if integration else None
    ack = tracking.create_tracking_record(
        organization, integration=integration, use_case_id=use_case_id, event_id=event_id, event_name=EVENT_NAME,
        webhook_id=str(webhook.id),
    )
    payload = build_payload(request, webhook, entity, event_id=event_id, ack_id=ack.ack_id)

    start = timezone.now()
    result = send_signed(webhook, event_id, payload)
    end = timezone.now()
    if not result.ok:
        ack.delete()  # the receiver did not take it: there is nothing to acknowledge
    _record(organization, request, entity, result, event_id=event_id, integration_id=integration_id,
            use_case_id=use_case_id, start=start, end=end)
    return {
        "status_code": str(result.status_code) if result.status_code is not None else "",
        "message": result.message if result.status_code is not None else (result.error or ""),
        "body": result.body if isinstance(result.body, dict) else {},
        "code": _code(result),
        "status": "succeeded" if result.ok else "failed",
        "start_date": format_timestamp(start),
        "end_date": format_timestamp(end),
        "event_id": event_id,
    }


def _validated(organization, data: Any) -> dict[str, str]:
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    out = {}
    for name in REQUIRED_FIELDS:
        value = data.get(name)
        if value is None or value == "":
            raise ValidationFailed(f"{name}: this field is required")
        if not isinstance(value, str):
            raise ValidationFailed(f"{name}: must be a string")
        if len(value) > 1000 or "\x00" in value:
            raise ValidationFailed(f"{name}: at most 1000 characters, without NUL characters")
        out[name] = value
    try:
        created_at = parse_datetime(out["created_at"])
    except ValueError:  # well-formed but impossible, e.g. month 13
        created_at = None
    if created_at is None:
        raise ValidationFailed("created_at: must be an ISO 8601 date-time")
    if out["org_id"] != str(organization.id):
        raise ValidationFailed("org_id: does not match the organisation of the access token")
    return out


def entity_document(entity: Entity) -> dict[str, Any]:
    """An entity as epilot renders it in webhook payloads: system fields ``_id``, ``_schema`` ... + attributes."""
    return {
        **entity.attributes,
        "_id": str(entity.pk),
        "_schema": entity.schema,
        "_org": entity.organization_id,
        "_created_at": format_timestamp(entity.created_at),
        "_updated_at": format_timestamp(entity.updated_at),
    }


def related_entities(entity: Entity) -> list[dict[str, Any]]:
    """Entities related to ``entity`` in either direction, one level deep (not deleted)."""
    edges = EntityRelation.objects.filter(organization_id=entity.organization_id).select_related("source", "target")
    related: dict[str, Entity] = {}
    for edge in edges.filter(source=entity)[:MAX_RELATIONS]:
        related.setdefault(str(edge.target_id), edge.target)
    for edge in edges.filter(target=entity)[:MAX_RELATIONS]:
        related.setdefault(str(edge.source_id), edge.source)
    return [entity_document(e) for e in related.values() if e.deleted_at is None and e.pk != entity.pk]


def build_payload(request: dict[str, str], webhook: Webhook, entity: Entity, *, event_id: str,
                  ack_id: str) -> dict[str, Any]:
    return {
        "metadata": {
            "action_id": request["action_id"],
            "flow_action_id": request["flow_action_id"],
            "automation_id": request["flow_id"],
            "automation_name": request["flow_name"],
            "execution_id": request["execution_id"],
            "organization_id": request["org_id"],
            "creation_timestamp": request["created_at"],
            "webhook_id": str(webhook.id),
            "webhook_name": webhook.name,
            "event_id": event_id,
            "event_name": EVENT_NAME,
        },
        "entity": entity_document(entity),
        "relations": related_entities(entity),
        "activity": {"_id": request["activity_id"]},
        "_ack_id": ack_id,
    }


def _integration_using(organization, webhook: Webhook) -> tuple[Integration | None, str | None]:
    """The integration and use case id of the first outbound use case delivering to this webhook."""
    use_cases = UseCase.objects.filter(organization=organization, type="outbound").select_related("integration")
    for use_case in use_cases.order_by("created_at", "id"):
        mappings = (use_case.configuration or {}).get("mappings") if isinstance(use_case.configuration, dict) else None
        for mapping in mappings or []:
            delivery = mapping.get("delivery") if isinstance(mapping, dict) else None
            if isinstance(delivery, dict) and str(delivery.get("webhook_id")) == str(webhook.id):
                return use_case.integration, str(use_case.id)
    return None, None


def _code(result) -> str:
    if result.ok:
        return "OK"
    if result.timed_out:
        return "TIMEOUT"
    if result.status_code is None:
        return "CONNECTION_FAILED"
    return f"HTTP_{result.status_code}"


def _record(organization, request, entity: Entity, result, *, event_id: str, integration_id, use_case_id,
            start: datetime, end: datetime) -> None:
    error_category = None
    if not result.ok:
        error_category = ErrorCategory.TIMEOUT if result.timed_out else ErrorCategory.DOWNSTREAM_API
    monitoring.record_inbound_event(
        org_id=organization.id,
        event_id=event_id,
        correlation_id=request["execution_id"],
        integration_id=integration_id,
        use_case_id=use_case_id,
        event_type="TRIGGER",
        object_type=entity.schema,
        sync_type=InboundSyncType.WEBHOOK,
        status=InboundStatus.SUCCESS if result.ok else InboundStatus.ERROR,
        error_code=None if result.ok else _code(result),
        error_message=None if result.ok else result.error,
        error_category=error_category,
        processing_duration_ms=max(0, int((end - start).total_seconds() * 1000)),
        received_at=start,
        completed_at=end,
        details={
            "webhook_id": request["webhook_id"],
            "entity_id": str(entity.pk),
            "flow_id": request["flow_id"],
            "flow_name": request["flow_name"],
            "action_id": request["action_id"],
            "activity_id": request["activity_id"],
            "http_response": result.http_response(),
        },
    )
