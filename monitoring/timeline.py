"""The trace page's geometry and look-ups: spans placed on a time axis, one lane per kind of step
(inbound event → mapping/entity writes → outbound deliveries → external spans)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.apps import apps

from monitoring.models import MonitoringEvent

LANES = (
    ("inbound", "Inbound event & entity writes"),
    ("outbound", "Outbound deliveries"),
    ("file_proxy", "File proxy"),
    ("managed_call", "Managed calls"),
    ("secure_proxy", "Secure proxy"),
    ("external", "External spans"),
    ("", "General"),
)


def use_cases(org_id: str, integration_id: str) -> list[dict]:
    model = apps.get_model("integrations", "UseCase")
    return [{"id": str(pk), "name": name, "type": kind} for pk, name, kind in model.objects.filter(
        organization_id=org_id, integration_id=integration_id).order_by("name").values_list("pk", "name", "type")]


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def lay_out(spans: list[dict], use_case_names: dict[str, dict]) -> list[dict[str, Any]]:
    """Lanes with their spans, each with ``left``/``width`` in percent of the trace's duration."""
    if not spans:
        return []
    start, end = _parse(spans[0]["created_at"]), _parse(spans[-1]["created_at"])
    total = max((end - start).total_seconds(), 0.001)
    lanes: dict[str, list] = {}
    for index, span in enumerate(spans):
        code = span["code"] or ""
        lane = "external" if code.startswith("EXTERNAL_") else span["use_case_type"]
        offset = (_parse(span["created_at"]) - start).total_seconds()
        detail = span.get("detail") or {}
        lanes.setdefault(lane, []).append({
            **span, "index": index + 1, "left": round(offset * 96.0 / total, 2),
            "offset_ms": int(offset * 1000),
            "use_case_name": (use_case_names.get(span["use_case_id"]) or {}).get("name"),
            "outcomes": detail.get("outcomes") or detail.get("entity_outcomes") or [],
            "detail_json": json.dumps(detail, indent=2, ensure_ascii=False, default=str) if detail else "",
        })
    return [{"key": key, "label": label, "spans": lanes[key]} for key, label in LANES if key in lanes]


def resolve_search(org_id: str, integration_id: str, query: str) -> str:
    """A correlation id as typed, unless it is an event id whose rows carry a correlation id."""
    found = MonitoringEvent.objects.filter(organization_id=org_id, integration_id=integration_id,
                                           event_id=query).exclude(correlation_id__isnull=True).exclude(
        correlation_id="").values_list("correlation_id", flat=True).first()
    return found or query


def recent_correlations(org_id: str, integration_id: str, limit: int = 15) -> list[dict]:
    rows = MonitoringEvent.objects.filter(organization_id=org_id, integration_id=integration_id).exclude(
        correlation_id__isnull=True).exclude(correlation_id="").order_by("-completed_at", "-id").values(
        "correlation_id", "completed_at", "level", "message")[:200]
    seen, out = set(), []
    for row in rows:
        if row["correlation_id"] not in seen:
            seen.add(row["correlation_id"])
            out.append(row)
        if len(out) >= limit:
            break
    return out
