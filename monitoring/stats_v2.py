"""Stats and time series v2 (docs/monitoring.md, the v1.33 operations), counted from the rollups (see
``aggregates``).

``info`` rows count in the totals but never in ``success_rate`` = success / (success + error + warning) x 100.
``skipped_count`` is always 0 (v2 has no skipped level). ``source=incoming`` counts received inbound events once
per (event, use case) instead of rows.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from monitoring import aggregates
from monitoring.rows import iso
from monitoring.selectors_v2 import UNKNOWN_USE_CASE, configured_use_case_ids
from monitoring.stats import INTERVALS, bucket_starts

GROUP_BY = ("use_case_id", "use_case_type", "level", "code", "date")
USE_CASE_TYPES = ("inbound", "outbound", "file_proxy", "managed_call", "secure_proxy")
SERIES_GROUP_BY = {"use_case_type": "use_case_type", "use_case": "use_case_id"}

MEASURES = [
    aggregates.Measure("total_events"),
    aggregates.Measure("success_count", where={"level": "success"}),
    aggregates.Measure("error_count", where={"level": "error"}),
    aggregates.Measure("warning_count", where={"level": "warning"}),
    aggregates.Measure("info_count", where={"level": "info"}),
    aggregates.Measure("ack_timeout_count", where={"code": "ACK_TIMEOUT"}),
    aggregates.Measure("last_error_at", "last", where={"level": "error"}),
]
INCOMING = [aggregates.Measure("total_events", "received", where={"use_case_type": "inbound"})]
SERIES_MEASURES = [
    aggregates.Measure("success_count", where={"level": "success"}),
    aggregates.Measure("error_count", where={"level": "error"}),
    aggregates.Measure("warning_count", where={"level": "warning"}),
    aggregates.Measure("info_count", where={"level": "info"}),
    aggregates.Measure("total_count"),
]


def success_rate(counts: dict) -> float:
    whole = counts.get("success_count", 0) + counts.get("error_count", 0) + counts.get("warning_count", 0)
    return round(counts.get("success_count", 0) * 100.0 / whole, 2) if whole else 0.0


def _body(counts: dict) -> dict[str, Any]:
    body = {
        "total_events": counts.get("total_events", 0),
        "success_count": counts.get("success_count", 0),
        "error_count": counts.get("error_count", 0),
        "warning_count": counts.get("warning_count", 0),
        "skipped_count": 0,
        "info_count": counts.get("info_count", 0),
        "ack_timeout_count": counts.get("ack_timeout_count", 0),
    }
    body["success_rate"] = success_rate(body)
    body["last_error_at"] = iso(counts.get("last_error_at"))
    return body


def _type_filter(use_case_types: list[str] | None) -> dict:
    return {"use_case_type__in": list(use_case_types)} if use_case_types else {}


def stats(*, org_id: str, integration_id: str, start: datetime, end: datetime, use_case_types: list[str] | None,
          group_by: str | None, source: str = "monitoring") -> dict[str, Any]:
    """The ``MonitoringStatsV2`` body for rows in ``[start, end]``."""
    window = aggregates.Window(start, end)
    where = _type_filter(use_case_types)
    measures = INCOMING if source == "incoming" else MEASURES
    common = {"org_id": org_id, "integration_id": integration_id, "window": window, "measures": measures,
              "where": where}
    body = _body(aggregates.count(**common)[()])
    breakdown = []
    if group_by:
        for (value,), counts in aggregates.count(**common, group_by=[group_by]).items():
            entry = {group_by: value.isoformat() if isinstance(value, date) else value}
            entry.update(_body(counts))
            breakdown.append(entry)
        breakdown.sort(key=lambda e: str(e[group_by]))
    body["breakdown"] = breakdown
    return body


def time_series(*, org_id: str, integration_id: str, start: datetime, end: datetime, interval: str,
                use_case_type: str | None, group_by: str | None) -> dict[str, Any]:
    """Zero-filled UTC-aligned buckets (≤200, else ``stats.TooManyBuckets``) with optional breakdowns."""
    starts = bucket_starts(start, end, interval)
    window = aggregates.Window(start, end)
    where = _type_filter([use_case_type] if use_case_type else None)
    column = SERIES_GROUP_BY.get(group_by or "")
    counted = aggregates.count(org_id=org_id, integration_id=integration_id, window=window,
                               measures=SERIES_MEASURES, where=where, group_by=[column] if column else None,
                               interval=(interval, INTERVALS[interval]))
    known = set(configured_use_case_ids(org_id, integration_id)) if column == "use_case_id" else set()
    totals: dict[datetime, dict] = {}
    parts: dict[datetime, dict[str, dict]] = {}
    for key, counts in counted.items():
        bucket = key[0]
        total = totals.setdefault(bucket, dict.fromkeys(c.name for c in SERIES_MEASURES), )
        for name in total:
            total[name] = (total[name] or 0) + counts.get(name, 0)
        if column:
            value = key[1]
            if column == "use_case_id" and value not in known:
                value = UNKNOWN_USE_CASE if value else ""
            if column == "use_case_type" and not value:
                continue  # General rows have no type to break down by
            part = parts.setdefault(bucket, {}).setdefault(value, dict.fromkeys(total, 0))
            for name in part:
                part[name] += counts.get(name, 0)
    buckets = []
    for bucket in starts:
        counts = {name: (totals.get(bucket, {}).get(name) or 0) for name in (m.name for m in SERIES_MEASURES)}
        entry = {"timestamp": iso(bucket), **counts, "skipped_count": 0}
        if column:
            entry["breakdown"] = [
                {column: value, **values, "skipped_count": 0}
                for value, values in sorted(parts.get(bucket, {}).items())
            ]
        buckets.append(entry)
    return {"interval": interval, "from_date": iso(start), "to_date": iso(end), "buckets": buckets}
