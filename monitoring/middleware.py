"""Access log of every API request made with an access token (what queryAccessLogs answers from).

DRF authenticates inside the view, and its ``Request`` mirrors ``user``/``auth`` onto the Django request; so
after the response this middleware sees ``request.auth`` as the ``AccessToken`` used. Anonymous calls, failed
authentication and session (UI) requests carry no token and are not logged. Logging never breaks a request:
any error is logged and the response goes out unchanged.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from time import perf_counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from erpintegration.lib.client_ip import client_ip
from erpintegration.models import AccessToken
from monitoring import services

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-Id"
MAX_ORIGIN_CHARS = 2048
MAX_PATH_CHARS = 4096

# Path prefix -> service name, most specific first; everything else is the ERP integration API itself.
SERVICE_PREFIXES = (
    ("/v1/entities/", "entity"),
    ("/v1/meter-readings", "metering"),
)
DEFAULT_SERVICE = "erp-integration"


def new_request_id() -> str:
    return uuid.uuid4().hex


def service_for_path(path: str) -> str:
    for prefix, service in SERVICE_PREFIXES:
        if path.startswith(prefix):
            return service
    return DEFAULT_SERVICE


def _text(value: str, limit: int) -> str:
    """Client-controlled text, storable everywhere (PostgreSQL refuses NUL characters) and bounded."""
    return value.replace("\x00", "")[:limit]


class _CountingStream:
    """Wraps a streaming body: counts the bytes sent and writes the log entry when the stream ends."""

    def __init__(self, content, on_done):
        self._content = content
        self._on_done = on_done

    def __iter__(self):
        sent = 0
        try:
            for chunk in self._content:
                sent += len(chunk)
                yield chunk
        finally:
            self._on_done(sent)


class AccessLogMiddleware:
    """Outermost middleware: gives every response an ``X-Request-Id`` and logs token-authenticated calls."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = perf_counter()
        timestamp = timezone.now()
        request_id = new_request_id()
        request.request_id = request_id
        response = self.get_response(request)
        try:
            response[REQUEST_ID_HEADER] = request_id
            token = getattr(request, "auth", None)
            if isinstance(token, AccessToken) and getattr(settings, "ACCESS_LOG_ENABLED", True):
                self._log(request, response, token, request_id, timestamp, started)
        except Exception:  # noqa: BLE001 - the access log must never break a request
            logger.exception("access log: could not record %s %s", request.method, request.path)
        return response

    def _log(self, request, response, token: AccessToken, request_id: str, timestamp: datetime, started: float):
        fields = {
            "org_id": token.organization_id,
            "token_id": token.id,
            "request_id": request_id,
            "timestamp": timestamp,
            "method": request.method or "",
            "path": _text(request.path, MAX_PATH_CHARS),
            "status": response.status_code,
            "service": service_for_path(request.path),
            "environment": getattr(settings, "DEPLOYMENT_ENVIRONMENT", "self-hosted"),
            "origin": _text(request.META.get("HTTP_ORIGIN") or "", MAX_ORIGIN_CHARS),
            "source_ip": client_ip(request.META, getattr(settings, "TRUSTED_PROXIES", ())),
        }
        if getattr(response, "streaming", False) and not response.has_header("Content-Length") \
                and not getattr(response, "is_async", False):
            # Length known only once sent: log when the stream is exhausted (or the client goes away).
            def done(sent: int) -> None:
                _record(fields, response_length=sent, started=started)

            response.streaming_content = _CountingStream(response.streaming_content, done)
            return
        if getattr(response, "streaming", False):
            length = int(response.get("Content-Length") or 0)
        else:
            length = len(response.content)
        _record(fields, response_length=length, started=started)


def _record(fields: dict, *, response_length: int, started: float) -> None:
    latency_ms = round((perf_counter() - started) * 1000)
    try:
        if transaction.get_connection().in_atomic_block:
            # Inside a transaction (ATOMIC_REQUESTS, tests): a savepoint keeps a failed insert from poisoning it.
            with transaction.atomic():
                services.record_access_log(**fields, response_length=response_length, response_latency_ms=latency_ms)
        else:  # autocommit: one INSERT, nothing to roll back
            services.record_access_log(**fields, response_length=response_length, response_latency_ms=latency_ms)
    except Exception:  # noqa: BLE001 - never break a request over its log entry
        logger.exception("access log: could not record %s %s", fields.get("method"), fields.get("path"))
