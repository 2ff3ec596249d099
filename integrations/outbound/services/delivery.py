"""Webhook sending: Standard-Webhooks signatures, one attempt at a time, retry policy (docs/outbound.md).

Every request goes through ``erpintegration.lib.http`` (SSRF guard, timeouts, size limits). A delivery is
attempted by the ``deliver_outbound`` task; 5xx, 408, 429, timeouts and connection failures are retried with
exponential backoff and full jitter up to ``OUTBOUND_DELIVERY_MAX_ATTEMPTS``; anything else settles it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from erpintegration.lib import crypto, http
from integrations.models import DeliveryStatus, OutboundDelivery, Webhook
from integrations.models.outbound import SECRET_PREFIX
from integrations.outbound import queue
from monitoring import services as monitoring

logger = logging.getLogger(__name__)

RESERVED_HEADERS = ("content-type", "content-length", "host", "webhook-id", "webhook-timestamp", "webhook-signature")
MESSAGE_LIMIT = 1000  # characters of a response body kept as ``http_response.message``
RETRYABLE_STATUSES = (408, 429)


def contains_nul(value: Any) -> bool:
    """Whether a JSON value holds a NUL character anywhere (PostgreSQL text and jsonb cannot store it)."""
    return "\\u0000" in json.dumps(value)


def _strip_nul(text: str) -> str:
    return text.replace("\x00", "")


def _key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return raw.encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 over "id.timestamp.body">`` keyed with the base64-decoded ``whsec_`` secret."""
    digest = hmac.new(_key(secret), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


MASKED = "••• (write-only)"  # custom header values are secrets (e.g. Authorization): never shown back


def encode_body(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class SendResult:
    """The outcome of one HTTP attempt. ``status_code`` is None when no response arrived."""

    status_code: int | None = None
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    error: str | None = None
    timed_out: bool = False
    retryable: bool = False
    duration_ms: int = 0
    request_headers: dict[str, str] = field(default_factory=dict)  # as sent; custom header values masked

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def http_response(self) -> dict | None:
        if self.status_code is None:
            return None
        return {"status_code": self.status_code, "message": self.message, "headers": self.headers}


def send_signed(webhook: Webhook, message_id: str, payload: Any) -> SendResult:
    """POST ``payload`` as JSON to the webhook, signed; never raises for HTTP or network failures."""
    started = time.monotonic()
    try:
        secret = webhook.signing_secret()
        custom = webhook.custom_headers()
    except crypto.DecryptionFailed as exc:
        return SendResult(error=f"webhook secret cannot be decrypted: {exc}")
    body = encode_body(payload)
    timestamp = int(time.time())
    headers = {name: str(value) for name, value in custom.items() if name.lower() not in RESERVED_HEADERS}
    headers.update({
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    })
    policy = http.Policy.from_settings(read_timeout=settings.OUTBOUND_DELIVERY_TIMEOUT_SECONDS,
                                       max_response_bytes=settings.OUTBOUND_DELIVERY_MAX_RESPONSE_BYTES)
    result = SendResult(request_headers={
        name: MASKED if name in custom and name.lower() not in RESERVED_HEADERS else value
        for name, value in headers.items()
    })
    try:
        with http.request("POST", webhook.url, headers=headers, body=body, policy=policy,
                          follow_redirects=False) as response:
            raw = response.read()
            result.status_code = response.status_code
            result.headers = {_strip_nul(k): _strip_nul(v) for k, v in response.header_dict().items()}
            text = _strip_nul(raw.decode(response.headers.get_content_charset() or "utf-8", errors="replace"))
            result.message = text[:MESSAGE_LIMIT] if text.strip() else _strip_nul(response.reason or "")
            try:
                result.body = json.loads(raw) if raw else None
            except ValueError:
                result.body = None
            if contains_nul(result.body):
                result.body = None
    except http.RequestTimeout as exc:
        result.error, result.timed_out, result.retryable = str(exc), True, True
    except (http.ConnectionFailed, http.ResponseTooLarge, http.InvalidResponse) as exc:
        result.error, result.retryable = str(exc), isinstance(exc, http.ConnectionFailed)
    except http.OutboundHttpError as exc:  # blocked destination, invalid URL: retrying cannot help
        result.error = str(exc)
    result.error = _strip_nul(result.error) if result.error else result.error
    if result.status_code is not None and not result.ok:
        result.error = f"webhook answered HTTP {result.status_code}"
        result.retryable = result.status_code >= 500 or result.status_code in RETRYABLE_STATUSES
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result


def backoff_seconds(attempt: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter after failed attempt ``attempt`` (1-based)."""
    base = settings.OUTBOUND_DELIVERY_BACKOFF_SECONDS
    ceiling = min(settings.OUTBOUND_DELIVERY_BACKOFF_MAX_SECONDS, base * (2 ** (attempt - 1)))
    return (rng or random).uniform(ceiling / 2, ceiling)


def claim_delivery(delivery_id) -> OutboundDelivery | None:
    """The next attempt of a pending delivery of any type (the file proxy's upload task uses it too)."""
    return _claim(delivery_id)


def settle_delivery(delivery: OutboundDelivery, status: str, result: SendResult,
                    next_attempt_at: datetime | None = None) -> None:
    _settle(delivery, status, result, next_attempt_at)


def _claim(delivery_id) -> OutboundDelivery | None:
    """Take the next attempt of a pending delivery; None when it is settled or another worker took it."""
    delivery = OutboundDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    lease = timezone.now() + timedelta(seconds=settings.OUTBOUND_DELIVERY_TIMEOUT_SECONDS + 120)
    claimed = OutboundDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(attempts=delivery.attempts + 1, next_attempt_at=lease)
    if not claimed:
        return None
    delivery.attempts += 1
    return delivery


def attempt_delivery(delivery_id) -> float | None:
    """One attempt of a pending delivery. Returns the seconds to wait before the next attempt, or None when
    the delivery is settled (succeeded, failed, or not ours to attempt)."""
    if OutboundDelivery.objects.filter(pk=delivery_id, delivery_type="file_proxy").exists():
        queue.send_upload(delivery_id)  # not a webhook delivery: its owner sends it
        return None
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    webhook = delivery.webhook
    if webhook is None:
        _settle(delivery, DeliveryStatus.FAILED, SendResult(error=f"webhook {delivery.webhook_ref} no longer exists"))
        return None
    if not webhook.enabled:
        _settle(delivery, DeliveryStatus.FAILED, SendResult(error=f"webhook {webhook.id} is disabled"))
        return None
    result = send_signed(webhook, str(delivery.id), delivery.payload)
    if result.ok:
        _settle(delivery, DeliveryStatus.SUCCEEDED, result)
        return None
    if result.retryable and delivery.attempts < settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS:
        delay = backoff_seconds(delivery.attempts)
        _settle(delivery, DeliveryStatus.PENDING, result, next_attempt_at=timezone.now() + timedelta(seconds=delay))
        return delay
    if result.retryable:
        result.error = f"{result.error} (gave up after {delivery.attempts} attempts)"
    _settle(delivery, DeliveryStatus.FAILED, result)
    return None


def _settle(delivery: OutboundDelivery, status: str, result: SendResult, next_attempt_at: datetime | None = None):
    with transaction.atomic():
        OutboundDelivery.objects.filter(pk=delivery.pk).update(
            status=status, next_attempt_at=next_attempt_at, last_error=result.error or "", updated_at=timezone.now()
        )
        if delivery.monitoring_event_id is not None:
            monitoring.record_outbound_attempt(
                delivery.monitoring_event_id,
                status=status,
                http_response=result.http_response(),
                error=result.error,
                duration_ms=result.duration_ms,
                attempt=delivery.attempts,
                next_attempt_at=next_attempt_at,
                request_headers=result.request_headers or None,
            )
    if status == DeliveryStatus.FAILED:
        logger.info("outbound delivery %s failed: %s", delivery.pk, result.error)


def enqueue_delivery(delivery_id, delivery_type: str = "webhook") -> None:
    """After commit: the ``deliver_outbound`` task (or, for file_proxy, the file proxy's upload task) makes the
    first attempt. A lost message is picked up by the sweeper (``sweep_deliveries``)."""
    delivery_id = str(delivery_id)

    transaction.on_commit(lambda: queue.send_any(delivery_id, delivery_type), robust=True)


def sweep_deliveries(now: datetime | None = None) -> int:
    """Re-enqueue pending deliveries whose next attempt is overdue by more than a grace period (a lost broker
    message or a worker killed mid-attempt). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.OUTBOUND_DELIVERY_SWEEP_GRACE_SECONDS)
    rows = list(OutboundDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=cutoff)
                .values_list("pk", "delivery_type")[:500])
    for delivery_id, delivery_type in rows:
        queue.send_any(delivery_id, delivery_type)
    return len(rows)


def attempt_due_deliveries(now: datetime | None = None, limit: int = 200) -> int:
    """Attempt pending deliveries whose next attempt is due (the embedded default's retry schedule, where
    no broker holds a countdown). Returns how many were attempted. file_proxy deliveries go to their owner's
    task (run in-process when tasks are eager)."""
    rows = list(OutboundDelivery.objects.filter(status=DeliveryStatus.PENDING,
                                                next_attempt_at__lte=now or timezone.now())
                .order_by("next_attempt_at").values_list("pk", "delivery_type")[:limit])
    for delivery_id, delivery_type in rows:
        if delivery_type == "file_proxy":
            queue.send_upload(delivery_id)
        else:
            attempt_delivery(delivery_id)
    return len(rows)
