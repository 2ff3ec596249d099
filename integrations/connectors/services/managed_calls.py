"""Execute a managed call: an RPC named by its use case's slug (docs/connectors.md, managed calls).

find the enabled use case → map the payload → build URL, headers, auth → call through the guarded client
→ map the response → optionally hand it to an inbound use case → one monitoring row. The same function
serves the API and the UI's "try it" console; the console gets the trace with every secret masked.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from erpintegration.lib import http
from integrations.connectors import selectors
from integrations.connectors.services import audit
from integrations.connectors.services.connector_request import build_request
from integrations.connectors.services.environment import load_connector_environment
from integrations.connectors.services.errors import ExternalApiError, ManagedCallError, SsrfBlocked
from integrations.inbound.services.accept import accept_events
from integrations.mapping import jsonata
from integrations.setup.services.mapping_environment import expression_bindings

MAX_DETAIL_BODY = 4000
#: error code -> monitoring registry code (its level is fixed there); others are recorded as "" + error.
MONITORING_CODES = {"EXTERNAL_API_ERROR": "EXTERNAL_API_ERROR", "OAUTH2_TOKEN_FAILURE": "OAUTH2_TOKEN_FAILURE",
                    "TIMEOUT": "TIMEOUT", "MANAGED_CALL_EXECUTION_ERROR": "UNKNOWN_ERROR"}


@dataclass
class ManagedCallOutcome:
    result: Any
    correlation_id: str
    inbound_event_id: str | None = None
    trace: dict = field(default_factory=dict)  # masked: what was sent and received (console only)


def _decode(data: bytes, content_type: str) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data.decode("utf-8", errors="replace")


def _truncated(value: Any) -> Any:
    text = value if isinstance(value, str) else json.dumps(value)
    return value if len(text) <= MAX_DETAIL_BODY else text[:MAX_DETAIL_BODY] + "…"


def _bindings(text: str | None, integration) -> dict | None:
    """``$env`` for request/response mappings: the one loader of mapping bindings (non-secret values and the
    integration's maps; secrets stay in headers)."""
    return expression_bindings(text, integration) if text else None


def execute_managed_call(organization, slug: str, integration_id, payload: dict | None,
                         correlation_id: str | None = None) -> ManagedCallOutcome:
    use_case = selectors.managed_call_for_execution(organization, integration_id, slug)
    integration = use_case.integration
    config = use_case.configuration or {}
    correlation_id = correlation_id or str(uuid.uuid4())
    payload = payload if isinstance(payload, dict) else {}
    env = load_connector_environment(integration)
    trace: dict = {"payload": payload}
    started = time.monotonic()
    method, url, status = str((config.get("operation") or {}).get("method") or "GET"), "", None

    def finish(code: str, level: str, message: str, detail: dict | None = None) -> int:
        elapsed = int((time.monotonic() - started) * 1000)
        audit.record_call(use_case=use_case, use_case_type="managed_call", code=code, level=level,
                          correlation_id=correlation_id, method=method, url=url, status=status,
                          duration_ms=elapsed, message=message, detail=detail, mask=env.mask)
        return elapsed

    try:
        request = build_request(integration, config, payload, env,
                                bindings=_bindings(config.get("request_mapping"), integration))
        method, url = request.method, request.url
        trace["request"] = env.mask({"method": request.method, "url": request.url, "headers": request.headers,
                                     "body": request.body_value})
        try:
            with http.request(request.method, request.url, headers=request.headers, body=request.body) as response:
                status = response.status_code
                headers = response.header_dict()
                data = response.read()
        except (http.DestinationBlocked, http.InvalidUrl) as exc:
            raise SsrfBlocked(f"the request to {audit.host_of(url) or 'the target'} was blocked: {exc}")
        except http.RequestTimeout as exc:
            error = ManagedCallError(f"the call to {audit.host_of(url)} timed out: {exc}")
            error.monitoring_code = "TIMEOUT"
            raise error
        except http.OutboundHttpError as exc:
            raise ManagedCallError(f"the call to {audit.host_of(url)} failed: {exc}")
        body = _decode(data, headers.get("content-type", ""))
        trace["response"] = env.mask({"status": status, "headers": headers, "body": body})
        if status >= 400:
            raise ExternalApiError(f"the external API answered {status}",
                                   details=env.mask({"status": status, "body": _truncated(body)}))
        result = body
        if config.get("response_mapping"):
            try:
                result = jsonata.evaluate(config["response_mapping"], body,
                                          _bindings(config["response_mapping"], integration))
            except jsonata.ExpressionError as exc:
                raise ManagedCallError(f"response_mapping: {exc.message}")
            result = None if result is jsonata.UNDEFINED else result
        trace["result"] = env.mask(result)
        inbound_event_id = _hand_off(organization, use_case, config, body, correlation_id)
    except ManagedCallError as exc:
        exc.message = env.mask(exc.message)
        trace["error"] = exc.as_body()["error"]
        elapsed = finish(MONITORING_CODES.get(getattr(exc, "monitoring_code", None) or exc.code, ""), "error", f"{use_case.slug}: {exc.message}", {"error_code": exc.code})
        trace["duration_ms"] = elapsed
        exc.trace = trace
        raise
    elapsed = finish(f"HTTP_{status}", "success", f"{use_case.slug}: {method} {audit.host_of(url)} answered {status}",
                     {"inbound_event_id": inbound_event_id} if inbound_event_id else None)
    trace["duration_ms"] = elapsed
    return ManagedCallOutcome(result, correlation_id, inbound_event_id, trace)


def _hand_off(organization, use_case, config: dict, body: Any, correlation_id: str) -> str | None:
    """Queue the raw response as a v3 inbound event of ``inbound_use_case_slug``; its event id or None."""
    slug = config.get("inbound_use_case_slug")
    if not slug:
        return None
    results = accept_events(organization, "v3", {
        "integration_id": str(use_case.integration_id), "correlation_id": correlation_id,
        "events": [{"use_case_slug": slug, "timestamp": timezone.now().isoformat(), "format": "json",
                    "payload": json.dumps(body if body is not None else {})}],
    })
    first = results[0] if results else {}
    if first.get("status") != "success":
        raise ManagedCallError(f"the response could not be handed to inbound use case {slug!r}: "
                               f"{first.get('message') or first.get('status')}")
    return first["event_id"]
