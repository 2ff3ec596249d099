"""Validation of inbound requests: the envelope (400 for the request) and each event (an ``error`` result
for that event only), docs/inbound.md, accepting."""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from erpintegration.exceptions import NotFound, ValidationFailed
from integrations.mapping.payload import parse_payload
from integrations.mapping.results import MappingError
from integrations.models import AppMapping, Integration

DEDUP_ID_RE = re.compile(r"^[a-zA-Z0-9_-]+$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
EVENT_TYPES = ("CREATE", "UPDATE", "DELETE")
FORMATS = ("json", "xml")
GROUP_ID_MAX = 128


class EventInvalid(Exception):
    """One event of a request is invalid: it answers ``error`` with this message; the others go on."""


@dataclass
class ValidEvent:
    """A structurally valid event, ready to be routed and stored."""

    event_id: uuid.UUID
    api_version: str
    event_name: str
    use_case_slug: str | None
    event_type: str | None
    format: str
    payload: str
    timestamp: datetime
    deduplication_id: str | None
    use_case_ids: list[str] = field(default_factory=list)
    correlation_id: str | None = None  # the event's own (v1/v2/v3), before falling back to the request's
    group_id: str = ""  # the lane (v3 only); "" is the default lane


@dataclass
class Envelope:
    integration: Integration
    correlation_id: str  # the request's (body, else meta), else one generated for the request
    events: list
    meta: dict
    group_id: str = ""  # v3 request-level group_id

    def event_correlation_id(self, event: ValidEvent) -> str:
        """``event.correlation_id ?? request.correlation_id ?? meta.correlation_id ?? generated``."""
        return event.correlation_id or self.correlation_id

    def event_group_id(self, event: ValidEvent) -> str:
        """``event.group_id ?? request.group_id ?? default lane``."""
        return event.group_id or self.group_id


# --- envelope ---------------------------------------------------------------------------------------


def _require_object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise ValidationFailed("Request body must be a JSON object")
    return body


def _require_uuid(body: dict, name: str) -> uuid.UUID:
    value = body.get(name)
    if value is None:
        raise ValidationFailed(f"{name}: this field is required")
    if not isinstance(value, str):
        raise ValidationFailed(f"{name}: must be a UUID string")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed(f"{name}: must be a UUID, got {value!r}")


def _require_str(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{name}: this field is required (a non-empty string)")
    if len(value) > 255 or "\x00" in value:
        raise ValidationFailed(f"{name}: at most 255 characters, without NUL characters")
    return value


def _events_list(body: dict) -> list:
    events = body.get("events")
    if events is None:
        raise ValidationFailed("events: this field is required")
    if not isinstance(events, list):
        raise ValidationFailed("events: must be an array")
    limit = settings.INBOUND_MAX_EVENTS_PER_REQUEST
    if len(events) > limit:
        raise ValidationFailed(f"events: at most {limit} events per request (got {len(events)})")
    return events


def _optional_str(body: dict, name: str, where: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":  # the contract sets no minLength: blank is "not given"
        return None
    if not isinstance(value, str) or not value or len(value) > 255 or "\x00" in value:
        raise ValidationFailed(f"{where}{name}: must be a non-empty string of at most 255 characters (no NUL)")
    return value


def integration_for_envelope(organization, integration_id) -> Integration:
    integration = Integration.objects.filter(organization=organization, pk=integration_id).first()
    if integration is None:
        raise NotFound(f"Integration {integration_id} not found", code="INTEGRATION_NOT_FOUND")
    return integration


def parse_envelope(organization, api_version: str, body: Any) -> Envelope:
    body = _require_object(body)
    if api_version == "v1":
        app_id = _require_str(body, "app_id")
        component_id = _require_str(body, "component_id")
        meta = body.get("meta")
        if not isinstance(meta, dict):
            raise ValidationFailed("meta: this field is required (an object)")
        correlation_id = _optional_str(meta, "correlation_id", "meta.")
        events = _events_list(body)
        mapping = (
            AppMapping.objects.select_related("integration")
            .filter(organization=organization, app_id=app_id, component_id=str(component_id))
            .first()
        )
        if mapping is None:
            raise NotFound(f"No integration is mapped to app_id {app_id} and component_id {component_id}")
        return Envelope(
            mapping.integration,
            correlation_id or str(uuid.uuid4()),
            events,
            {"app_id": app_id, "component_id": component_id},  # the rest of meta is not kept
        )
    integration_id = _require_uuid(body, "integration_id")
    correlation_id = _optional_str(body, "correlation_id", "")
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    if correlation_id is None and api_version == "v3" and meta:
        correlation_id = _optional_str(meta, "correlation_id", "meta.")
    group_id = _group_id(body, "") if api_version == "v3" else ""
    events = _events_list(body)
    return Envelope(integration_for_envelope(organization, integration_id), correlation_id or str(uuid.uuid4()), events,
                    {}, group_id)


def _group_id(body: dict, where: str) -> str:
    value = body.get("group_id")
    if value is None:
        return ""
    if not isinstance(value, str) or not value or len(value) > GROUP_ID_MAX or "\x00" in value:
        raise ValidationFailed(f"{where}group_id: must be a non-empty string of at most {GROUP_ID_MAX} characters")
    return value


# --- one event --------------------------------------------------------------------------------------


def _payload_text(raw: dict, fmt: str) -> str:
    payload = raw.get("payload")
    if payload is None:
        raise EventInvalid("payload: this field is required")
    if isinstance(payload, dict):
        if fmt == "xml":
            raise EventInvalid("payload: an object payload cannot have format 'xml'; send the XML as a string")
        if not payload:
            raise EventInvalid("payload: an object payload needs at least one property")
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(payload, str):
        if len(payload) < 2:
            raise EventInvalid("payload: a string payload needs at least 2 characters")
        text = payload
    else:
        raise EventInvalid("payload: must be a string (JSON or XML text) or a JSON object")
    if "\x00" in text or "\\u0000" in text:
        raise EventInvalid("payload: NUL characters (\\u0000) are not supported")
    limit = settings.INBOUND_MAX_EVENT_BYTES
    if len(text.encode("utf-8")) > limit:
        raise EventInvalid(f"payload: exceeds the limit of {limit} bytes per event")
    return text


_LONG_DIGITS = re.compile(r"\d{309}")


def _check_payload_parses(text: str, fmt: str) -> None:
    """Reject malformed JSON/XML (and XML bombs) at the door: the ERP learns it now, not in monitoring."""
    try:
        parse_payload(text, fmt)
    except MappingError as exc:
        raise EventInvalid(f"payload: {exc.message}")


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255 and "\x00" not in value


def _parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:  # well-formed but impossible, e.g. month 13 or offset +25:00
        return None


def validate_event(raw: Any, api_version: str) -> ValidEvent:
    if not isinstance(raw, dict):
        raise EventInvalid("event must be a JSON object")
    fmt = raw.get("format", "json")
    if fmt not in FORMATS:
        raise EventInvalid("format: must be 'json' or 'xml'")
    timestamp_raw = raw.get("timestamp")
    if timestamp_raw is None:
        raise EventInvalid("timestamp: this field is required")
    timestamp = _parse_timestamp(timestamp_raw)
    if timestamp is None:
        raise EventInvalid(f"timestamp: {timestamp_raw!r} is not an ISO 8601 date-time")
    if timezone.is_naive(timestamp):
        timestamp = timestamp.replace(tzinfo=UTC)
    event_type = None
    use_case_slug = None
    if api_version == "v3":
        event_name = raw.get("event_name")
        use_case_slug = raw.get("use_case_slug")
        if event_name is None and use_case_slug is None:
            raise EventInvalid("event_name or use_case_slug is required")
        if event_name is not None and not _is_name(event_name):
            raise EventInvalid("event_name: must be a non-empty string of at most 255 characters (no NUL)")
        if use_case_slug is not None and (
            not isinstance(use_case_slug, str) or len(use_case_slug) > 255 or not SLUG_RE.match(use_case_slug)
        ):
            raise EventInvalid("use_case_slug: must match ^[a-z0-9][a-z0-9_-]*$ (1-255 characters)")
    else:
        event_type = raw.get("event_type")
        if event_type not in EVENT_TYPES:
            raise EventInvalid("event_type: must be one of CREATE, UPDATE, DELETE")
        event_name = raw.get("object_type")
        if not _is_name(event_name):
            raise EventInvalid("object_type: this field is required (a non-empty string of at most 255 characters)")
    dedup = raw.get("deduplication_id")
    if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255 or not DEDUP_ID_RE.match(dedup)):
        raise EventInvalid("deduplication_id: must match ^[a-zA-Z0-9_-]+$ (1-255 characters)")
    correlation_id = raw.get("correlation_id")
    if correlation_id is not None and not _is_name(correlation_id):
        raise EventInvalid("correlation_id: must be a non-empty string of at most 255 characters (no NUL)")
    group_id = ""
    if api_version == "v3" and raw.get("group_id") is not None:
        group_id = raw["group_id"]
        if not isinstance(group_id, str) or not group_id or len(group_id) > GROUP_ID_MAX or "\x00" in group_id:
            raise EventInvalid(f"group_id: must be a non-empty string of at most {GROUP_ID_MAX} characters")
    text = _payload_text(raw, fmt)
    # an object payload was just serialized: valid by construction, except for integers beyond the number
    # range (only parsed again when such a run of digits appears)
    if isinstance(raw.get("payload"), str) or _LONG_DIGITS.search(text):
        _check_payload_parses(text, fmt)
    return ValidEvent(
        event_id=uuid.uuid4(),
        api_version=api_version,
        event_name=event_name or "",
        use_case_slug=use_case_slug,
        event_type=event_type,
        format=fmt,
        payload=text,
        timestamp=timestamp,
        deduplication_id=dedup,
        correlation_id=correlation_id,
        group_id=group_id,
    )
