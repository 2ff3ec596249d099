"""The upload direction of the file proxy: send one file_proxy delivery's files through the upload use case's
steps (docs/connectors.md, file proxy: upload direction).

Per attempt: resolve the upload use case by slug (again: it may have changed since planning) → check the
file limits before fetching anything (FILE_TOO_LARGE) → fetch the files ($file_data: filename, mime_type,
size_bytes, base64) → auth token → steps in order. Per step:

- ``enabled`` (JSONata over the hydrated event) false → BREAK: this and later steps are skipped and the
  delivery is settled ``skipped`` (STEP_DISABLED); a throw or a non-boolean is terminal;
- ``url`` and ``headers`` are Handlebars rendered ONCE against ``{env, file_data, steps, auth_token}``, with
  two terminal guards: a referenced env key that is absent (checked before the URL is parsed) and ``{{``
  left after rendering;
- the body is ``body_jsonata`` (root: the hydrated event; bindings ``$file_data``, ``$ack_id``, ``$env``,
  ``$steps``) and must be an object or array, else MAPPING_EXPRESSION_FAILED; without it the files are sent
  as they are (the one attachment when fanning out, the array otherwise);
- through the secure proxy's policy when ``secure_proxy.use_case_slug`` is set, else the ordinary guard.

A 5xx, 408, 429 or no answer is retried with exponential backoff and jitter up to
``upload.max_delivery_attempts`` (default 8); anything else is terminal.
"""
from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from erpintegration.lib import http
from erpintegration.lib.templating import TemplateError, env_references, has_residual_braces, render
from fileproxy import oauth
from fileproxy.environment import load_environment
from fileproxy.errors import ConfigurationError, UpstreamError
from fileproxy.secure_routing import SecureRouteRefused, attached_proxy, policy_for_step
from integrations.connectors.services import audit
from integrations.mapping import jsonata
from integrations.models import CatalogEvent, DeliveryStatus, OutboundDelivery, UseCase
from integrations.outbound.services.catalog import common_fields
from integrations.outbound.services.delivery import (
    SendResult,
    backoff_seconds,
    claim_delivery,
    settle_delivery,
)
from integrations.setup.services.mapping_environment import load_mapping_environment

PLATFORM_MAX_FILE_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_ATTEMPTS = 8
RETRYABLE_STATUSES = (408, 425, 429)


class Terminal(Exception):
    """The delivery cannot succeed as configured: failed without retry. ``code`` is the monitoring code."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class Retryable(Exception):
    def __init__(self, message: str, code: str = "FILE_PROXY_UPLOAD_RETRYING", result: SendResult | None = None):
        super().__init__(message)
        self.code, self.result = code, result


class Disabled(Exception):
    """A step's ``enabled`` said no: BREAK."""


@dataclass
class UploadOutcome:
    status: str
    message: str
    steps: list[dict]


def upload_use_case(delivery: OutboundDelivery) -> UseCase:
    use_case = UseCase.objects.filter(integration_id=delivery.integration_id, slug=delivery.target_slug).first()
    if use_case is None:
        raise Terminal(f"file_proxy use case {delivery.target_slug!r} not found", "USE_CASE_NOT_FOUND")
    config = use_case.configuration if isinstance(use_case.configuration, dict) else {}
    if use_case.type != "file_proxy" or config.get("direction") != "upload":
        raise Terminal(f"use case {delivery.target_slug!r} is not an upload file_proxy use case", "USE_CASE_INVALID_TYPE")
    if not use_case.enabled:
        raise Terminal(f"file_proxy use case {delivery.target_slug!r} is disabled", "USE_CASE_DISABLED")
    return use_case


def limits(config: dict) -> tuple[int, int, int]:
    upload = config.get("upload") or {}
    max_file = min(int(upload.get("max_file_bytes") or PLATFORM_MAX_FILE_BYTES), PLATFORM_MAX_FILE_BYTES)
    max_total = min(int(upload.get("max_total_bytes") or PLATFORM_MAX_FILE_BYTES), PLATFORM_MAX_FILE_BYTES)
    attempts = max(1, min(int(upload.get("max_delivery_attempts") or DEFAULT_MAX_ATTEMPTS), 100))
    return max_file, max_total, attempts


def fetch_files(files: list[dict], max_file: int, max_total: int) -> list[dict]:
    """``$file_data`` items. Declared sizes are checked before any byte is fetched; fetched bytes again."""
    declared = [int(f.get("size_bytes") or 0) for f in files if isinstance(f, dict)]
    for item, size in zip(files, declared, strict=False):
        if size > max_file:
            raise Terminal(f"{item.get('filename') or 'file'} has {size} bytes, over the limit of {max_file}",
                           "FILE_TOO_LARGE")
    if sum(declared) > max_total:
        raise Terminal(f"the delivery's files have {sum(declared)} bytes together, over {max_total}", "FILE_TOO_LARGE")
    out, total = [], 0
    for item in files:
        if not isinstance(item, dict):
            raise Terminal("an event attachment is not an object", "FILE_FETCH_FAILED")
        if isinstance(item.get("content_base64"), str):
            data = base64.b64decode(item["content_base64"], validate=False)
        elif isinstance(item.get("url"), str):
            try:
                with http.request("GET", item["url"], policy=http.Policy.from_settings(
                        max_response_bytes=max_file)) as response:
                    if not response.ok:
                        raise Retryable(f"fetching {item.get('filename') or 'the file'} answered {response.status_code}",
                                        "FILE_FETCH_FAILED")
                    data = response.read()
            except http.ResponseTooLarge as exc:
                raise Terminal(str(exc), "FILE_TOO_LARGE")
            except (http.DestinationBlocked, http.InvalidUrl) as exc:
                raise Terminal(f"fetching the file was refused: {exc}", "FILE_FETCH_FAILED")
            except http.OutboundHttpError as exc:
                raise Retryable(f"fetching the file failed: {exc}", "FILE_FETCH_FAILED")
        else:
            raise Terminal("an event attachment has neither url nor content_base64", "ATTACHMENT_NOT_FOUND")
        if len(data) > max_file:
            raise Terminal(f"{item.get('filename') or 'file'} has {len(data)} bytes, over {max_file}", "FILE_TOO_LARGE")
        total += len(data)
        if total > max_total:
            raise Terminal(f"the delivery's files exceed {max_total} bytes together", "FILE_TOO_LARGE")
        out.append({"filename": item.get("filename"), "mime_type": item.get("mime_type"), "size_bytes": len(data),
                    "base64": base64.b64encode(data).decode()})
    return out


def render_once(template: str, context: dict, env: dict, where: str) -> str:
    missing = sorted(key for key in env_references(template) if key not in env)
    if missing:
        raise Terminal(f"{where}: the environment value {missing[0]!r} is not set", "FILE_PROXY_UPLOAD_FAILED")
    try:
        text = render(template, context)  # single pass: an escaped \\{{env.x}} stays literal and is refused below
    except TemplateError as exc:
        raise Terminal(f"{where}: {exc}", "FILE_PROXY_UPLOAD_FAILED")
    if has_residual_braces(text):
        raise Terminal(f"{where}: '{{{{' remains after rendering (write {{{{env.x}}}} without a backslash)",
                       "FILE_PROXY_UPLOAD_FAILED")
    return text


GERMAN_DATE = "$germanDate := function($iso) { $fromMillis($toMillis($iso), '[D01].[M01].[Y0001]') };"


def with_helpers(text: str) -> str:
    """``$germanDate(iso)`` (DD.MM.YYYY of an ISO timestamp, UTC date) is defined in front of an expression
    that uses it; ``$now()`` is JSONata's own."""
    return f"({GERMAN_DATE}\n{text}\n)" if "$germanDate" in text else text


def _expression(text: str, event: dict, bindings: dict, where: str) -> Any:
    try:
        return jsonata.evaluate(with_helpers(text), event, bindings)
    except jsonata.ExpressionError as exc:
        raise Terminal(f"{where}: {exc.message}", "MAPPING_EXPRESSION_FAILED")


def _policy(use_case: UseCase, url: str) -> http.Policy:
    try:
        return policy_for_step(attached_proxy(use_case), url, http.Policy.from_settings())
    except SecureRouteRefused as exc:
        raise Terminal(str(exc), exc.code)


def run_steps(use_case: UseCase, delivery: OutboundDelivery, event: dict, file_data: Any) -> list[dict]:
    config = use_case.configuration or {}
    environment = load_environment(use_case.integration)
    env = dict(environment.values)
    expression_env = load_mapping_environment(use_case.integration).env()  # non-secret values and maps
    token = ""
    if isinstance(config.get("auth"), dict) and config["auth"].get("type"):
        try:
            token = oauth.get_access_token(config["auth"], {"env": env}, env,
                                           scope=f"{use_case.organization_id}:{use_case.integration_id}:{use_case.pk}")
        except ConfigurationError as exc:
            raise Terminal(exc.message, "OAUTH2_TOKEN_FAILURE")
        except UpstreamError as exc:
            raise Retryable(exc.message, "OAUTH2_TOKEN_FAILURE")
    steps: list[dict] = []
    for index, step in enumerate(config.get("steps") or []):
        where = f"steps[{index}]"
        bindings = {"file_data": file_data, "ack_id": delivery.ack_id or None, "env": expression_env,
                    "steps": steps}
        if step.get("enabled"):
            enabled = _expression(step["enabled"], event, bindings, f"{where}.enabled")
            if not isinstance(enabled, bool):
                raise Terminal(f"{where}.enabled: must return a boolean", "MAPPING_EXPRESSION_FAILED")
            if not enabled:
                raise Disabled(f"{where} is disabled for this delivery; it and later steps were skipped")
        context = {"env": env, "file_data": file_data, "steps": steps, "auth_token": token}
        url = render_once(str(step.get("url") or ""), context, env, f"{where}.url")
        headers = {key: render_once(str(value), context, env, f"{where}.headers.{key}")
                   for key, value in (step.get("headers") or {}).items()}
        method = str(step.get("method") or "POST").upper()
        body = None
        if method != "GET":
            value = (_expression(step["body_jsonata"], event, bindings, f"{where}.body_jsonata")
                     if step.get("body_jsonata") else file_data)
            if not isinstance(value, (dict, list)):
                raise Terminal(f"{where}.body_jsonata: must produce an object or an array", "MAPPING_EXPRESSION_FAILED")
            body = json.dumps(value).encode()
            headers.setdefault("Content-Type", "application/json")
        policy = _policy(use_case, url)
        started = time.monotonic()
        try:
            with http.request(method, url, headers=headers, body=body, policy=policy) as response:
                status, response_headers, data = response.status_code, response.header_dict(), response.read()
        except (http.DestinationBlocked, http.InvalidUrl) as exc:
            raise Terminal(f"{where}: {exc}", "FILE_PROXY_UPLOAD_FAILED")
        except http.OutboundHttpError as exc:
            raise Retryable(f"{where}: {exc}", result=SendResult(error=f"{where}: {exc}", retryable=True,
                                                                duration_ms=int((time.monotonic() - started) * 1000)))
        try:
            parsed = json.loads(data) if data else None
        except (ValueError, UnicodeDecodeError):
            parsed = data.decode("utf-8", errors="replace")
        steps.append({"statusCode": status, "headers": response_headers, "body": parsed})
        result = SendResult(status_code=status, headers=response_headers, body=None,
                            duration_ms=int((time.monotonic() - started) * 1000))
        if status >= 500 or status in RETRYABLE_STATUSES:
            result.error, result.retryable = f"{where} answered {status}", True
            raise Retryable(result.error, result=result)
        if status >= 400:
            raise Terminal(f"{where} answered {status}", "FILE_PROXY_UPLOAD_FAILED")
    return steps


def hydrated_event(delivery: OutboundDelivery) -> dict:
    event = CatalogEvent.objects.filter(organization_id=delivery.organization_id, event_id=delivery.event_id).first()
    return {**(event.payload or {}), **common_fields(event)} if event else {}


def deliver_upload(delivery_id) -> float | None:
    """One attempt; the seconds until the next one, or None when the delivery is settled."""
    delivery = claim_delivery(delivery_id)
    if delivery is None:
        return None
    use_case = None
    try:
        use_case = upload_use_case(delivery)
        config = use_case.configuration or {}
        max_file, max_total, max_attempts = limits(config)
        files = (delivery.payload or {}).get("files") or []
        file_data_list = fetch_files(files, max_file, max_total)
        file_data = file_data_list[0] if delivery.item_index is not None and delivery.item_index >= 0 else file_data_list
        steps = run_steps(use_case, delivery, hydrated_event(delivery), file_data)
    except Disabled as exc:
        _finish(delivery, use_case, DeliveryStatus.SKIPPED, SendResult(error=str(exc)), "STEP_DISABLED", str(exc))
        return None
    except Terminal as exc:
        _finish(delivery, use_case, DeliveryStatus.FAILED, SendResult(error=str(exc)), exc.code, str(exc))
        return None
    except Retryable as exc:
        result = exc.result or SendResult(error=str(exc), retryable=True)
        result.error = result.error or str(exc)
        attempts = limits(use_case.configuration or {})[2] if use_case else DEFAULT_MAX_ATTEMPTS
        if delivery.attempts < attempts:
            delay = backoff_seconds(delivery.attempts)
            _finish(delivery, use_case, DeliveryStatus.PENDING, result, "FILE_PROXY_UPLOAD_RETRYING",
                    f"{exc} (attempt {delivery.attempts} of {attempts})",
                    next_attempt_at=timezone.now() + timedelta(seconds=delay))
            return delay
        result.error = f"{result.error} (gave up after {delivery.attempts} attempts)"
        _finish(delivery, use_case, DeliveryStatus.FAILED, result, "FILE_PROXY_UPLOAD_FAILED", result.error)
        return None
    last = steps[-1] if steps else {}
    _finish(delivery, use_case, DeliveryStatus.SUCCEEDED,
            SendResult(status_code=last.get("statusCode"), headers=last.get("headers") or {}),
            "FILE_PROXY_UPLOADED", f"uploaded through {len(steps)} step(s)")
    return None


def _finish(delivery, use_case, status: str, result: SendResult, code: str, message: str, next_attempt_at=None):
    settle_delivery(delivery, status, result, next_attempt_at)
    if use_case is not None:
        audit.record_event(use_case=use_case, use_case_type="file_proxy", code=code, message=message,
                           correlation_id=delivery.event_id,
                           detail={"delivery_id": str(delivery.pk), "item_index": delivery.item_index,
                                   "attempt": delivery.attempts})
