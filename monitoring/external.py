"""External spans (ingestExternalMonitoringEvents): validated one by one, so one bad span never fails the
batch. The server assigns the code from the level (``EXTERNAL_*``: an external system cannot pose as the hub),
resolves ``use_case_slug`` to the integration's use case, and keeps ``occurred_at`` as the row's time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils.dateparse import parse_datetime

from monitoring import codes, services
from monitoring.models import Source

MAX_MESSAGE = 10_000


@dataclass
class IngestResult:
    accepted: int
    rejected: int
    results: list[dict]

    def as_contract(self) -> dict[str, Any]:
        body: dict[str, Any] = {"accepted": self.accepted, "rejected": self.rejected}
        if self.rejected:
            body["results"] = self.results
        return body


class SpanInvalid(ValueError):
    pass


def _use_cases_by_slug(org_id: str, integration_id: str) -> dict[str, tuple[str, str]]:
    model = apps.get_model("integrations", "UseCase")
    return {slug: (str(pk), kind) for pk, slug, kind in model.objects.filter(
        organization_id=org_id, integration_id=integration_id).values_list("pk", "slug", "type") if slug}


def _text(span: dict, name: str, limit: int = 255) -> str:
    value = span.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SpanInvalid(f"{name} is required (a non-empty string)")
    if len(value) > limit:
        raise SpanInvalid(f"{name} is longer than {limit} characters")
    return value


def _validate(span: Any, slugs: dict[str, tuple[str, str]]) -> dict[str, Any]:
    if not isinstance(span, dict):
        raise SpanInvalid("span must be an object")
    correlation_id = _text(span, "correlation_id")
    level = span.get("level")
    if level not in codes.LEVELS:
        raise SpanInvalid(f"level must be one of {', '.join(codes.LEVELS)} (got {level!r})")
    slug = _text(span, "use_case_slug")
    if slug not in slugs:
        raise SpanInvalid(f"use_case_slug {slug!r} is not a use case of this integration")
    raw_time = _text(span, "occurred_at", 64)
    occurred_at = parse_datetime(raw_time)
    if occurred_at is None or occurred_at.tzinfo is None:
        raise SpanInvalid("occurred_at must be an ISO 8601 date-time with a timezone")
    message = span.get("message")
    if not isinstance(message, str):
        raise SpanInvalid("message is required (a string)")
    detail = span.get("detail")
    if detail is not None and not isinstance(detail, dict):
        raise SpanInvalid("detail must be an object or null")
    use_case_id, use_case_type = slugs[slug]
    return {"correlation_id": correlation_id, "level": level, "use_case_id": use_case_id,
            "use_case_type": use_case_type, "occurred_at": occurred_at, "message": message[:MAX_MESSAGE],
            "detail": {**(detail or {}), "use_case_slug": slug}}


def ingest(*, org_id: str, integration_id: str, spans: list, now: datetime | None = None) -> IngestResult:
    """Store every valid span (one INSERT) and report each one by index."""
    slugs = _use_cases_by_slug(org_id, integration_id)
    rows, results = [], []
    for index, span in enumerate(spans):
        try:
            valid = _validate(span, slugs)
        except SpanInvalid as exc:
            results.append({"index": index, "status": "rejected", "reason": str(exc)})
            continue
        rows.append(services.build(
            org_id=org_id, integration_id=integration_id, source=Source.EXTERNAL,
            event_id=valid["correlation_id"], code=codes.EXTERNAL_BY_LEVEL[valid["level"]],
            use_case_id=valid["use_case_id"], use_case_type=valid["use_case_type"],
            correlation_id=valid["correlation_id"], message=valid["message"], detail=valid["detail"],
            at=valid["occurred_at"],
        ))
        results.append({"index": index, "status": "accepted"})
    services.record_many(rows)
    return IngestResult(accepted=len(rows), rejected=len(spans) - len(rows), results=results)
