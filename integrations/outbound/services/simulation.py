"""The outbound editor's live simulation: a catalog event payload through the draft's mappings, showing the
body each webhook would receive and the headers that would be sent. Persists nothing and sends nothing.

It uses the same evaluation as publishing (``outbound._plan_one``): the payload merged with the common
``_``-fields; values minted at publish time (event id, ACK id, delivery id, timestamp, signature) are shown
as placeholders.
"""
from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from erpintegration.exceptions import ValidationFailed
from integrations.configuration import ConfigurationInvalid, validate_configuration
from integrations.configuration.outbound import format_timestamp
from integrations.mapping import jsonata as expressions
from integrations.outbound.services.catalog import DEFAULT_SOURCE
from integrations.outbound.services.delivery import MASKED, RESERVED_HEADERS, contains_nul
from integrations.outbound.services.webhooks import find_webhook
from integrations.setup.services.mapping_environment import expression_bindings

PLACEHOLDER_EVENT_ID = "<event id at publish>"
PLACEHOLDER_ACK_ID = "<ack id at publish>"


def parse_event_payload(text: Any) -> dict:
    if isinstance(text, dict):
        return text
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed("payload: paste a catalog event payload (a JSON object)")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"payload: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
    if not isinstance(value, dict):
        raise ValidationFailed("payload: must be a JSON object")
    return value


def simulate_outbound(organization, configuration: Any, payload: Any, integration=None) -> dict:
    """``{event_name, mappings: [{index, name, enabled, webhook, body, headers, error}]}``.

    Raises ``ConfigurationInvalid`` (problems with their paths) and ``ValidationFailed`` (payload)."""
    config = validate_configuration("outbound", configuration, root="configuration")
    source_payload = parse_event_payload(payload)
    event_name = config.get("event_catalog_event") if isinstance(config, dict) else None
    common = {
        "_org_id": organization.id, "_event_time": format_timestamp(timezone.now()), "_event_id": PLACEHOLDER_EVENT_ID,
        "_event_name": event_name, "_event_version": "1", "_event_source": DEFAULT_SOURCE, "_ack_id": PLACEHOLDER_ACK_ID,
    }
    source = {**source_payload, **common}
    results = []
    for index, mapping in enumerate((config or {}).get("mappings") or []):
        results.append(_simulate_mapping(organization, index, mapping, source, integration))
    return {"event_name": event_name, "mappings": results}


def _simulate_mapping(organization, index: int, mapping: dict, source: dict, integration=None) -> dict:
    path = f"configuration.mappings[{index}].jsonata_expression"
    webhook_ref = str((mapping.get("delivery") or {}).get("webhook_id") or "")
    webhook = find_webhook(organization, webhook_ref)
    result: dict[str, Any] = {"index": index, "name": mapping.get("name") or f"Mapping {index + 1}",
                              "enabled": mapping.get("enabled", True) is True, "webhook_ref": webhook_ref,
                              "webhook": webhook, "body": None, "error": None, "jsonata": None, "path": path}
    try:
        text = mapping.get("jsonata_expression") or ""
        bindings = expression_bindings(text, integration) if integration is not None else None  # as at runtime
        value = expressions.evaluate(text, source, bindings)
    except expressions.ExpressionError as exc:
        result["error"] = f"JSONata error{f' {exc.code}' if exc.code else ''}: {exc.message}"
        result["jsonata"] = exc.as_dict()
        return result
    if value is expressions.UNDEFINED:
        result["error"] = "the mapping produced no value: nothing would be sent"
    elif not isinstance(value, dict):
        result["error"] = f"the mapping must produce a JSON object, not {type(value).__name__}"
    elif contains_nul(value):
        result["error"] = "the result contains NUL characters (\\u0000), which cannot be sent"
    else:
        result["body"] = value
    if webhook is None:
        result["webhook_error"] = f"webhook {webhook_ref!r} not found" if webhook_ref else "no webhook chosen"
    elif not webhook.enabled:
        result["webhook_error"] = "this webhook is disabled: nothing would be sent"
    result["headers"] = _headers(webhook)
    return result


def _headers(webhook) -> dict[str, str]:
    """The request headers a delivery would carry (custom header values are write-only: masked)."""
    headers = {}
    if webhook is not None:
        headers.update({name: MASKED for name in webhook.header_names() if name.lower() not in RESERVED_HEADERS})
    headers.update({
        "Content-Type": "application/json",
        "webhook-id": "<delivery id>",
        "webhook-timestamp": "<unix seconds at sending>",
        "webhook-signature": "v1,<HMAC-SHA256 of id.timestamp.body with the webhook secret>",
    })
    return headers


__all__ = ["ConfigurationInvalid", "parse_event_payload", "simulate_outbound"]
