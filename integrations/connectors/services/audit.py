"""Monitoring rows of connector calls (managed calls, secure proxy), through monitoring v2's record function.

Codes: registry codes (``EXTERNAL_API_ERROR``, ``OAUTH2_TOKEN_FAILURE``, ``TIMEOUT``, ``SECURE_PROXY_*``) keep
their fixed level; an answered call is ``HTTP_{status}``; a failure without a registry code is ``""`` + level.

One place, so every row has the same shape: use case, type, code, level, method, host, status, latency.
Never bodies, headers, query strings or anything else that could carry a secret (the host is enough to
attribute a call; paths can carry ids and are left out of the message and kept, masked, in ``detail``).
"""
from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from monitoring import services as monitoring


def host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def record_call(*, use_case, use_case_type: str, code: str, level: str | None, correlation_id: str | None,
                method: str, url: str, status: int | None, duration_ms: int | None, message: str,
                detail: dict | None = None, mask=lambda value: value) -> None:
    host = host_of(url)
    if code and not code.startswith("HTTP_"):
        level = None  # a registry code carries its own fixed level
    row_detail = {"method": method, "host": host, "status": status, **(detail or {})}
    monitoring.record(
        org_id=use_case.organization_id, integration_id=use_case.integration_id, source=use_case_type,
        event_id=str(uuid.uuid4()), code=code, level=level or None, use_case_id=use_case.pk, use_case_type=use_case_type,
        correlation_id=correlation_id, message=mask(message), detail=mask(row_detail), duration_ms=duration_ms,
    )


def record_event(*, use_case, use_case_type: str, code: str, message: str, correlation_id: str | None,
                 detail: dict | None = None, level: str | None = None) -> None:
    """A row that is not an HTTP call (file-proxy upload outcomes, fan-out): registry code + message."""
    monitoring.record(
        org_id=use_case.organization_id, integration_id=use_case.integration_id, source=use_case_type,
        event_id=str(uuid.uuid4()), code=code, level=level, use_case_id=use_case.pk, use_case_type=use_case_type,
        correlation_id=correlation_id, message=message, detail=detail or {},
    )
