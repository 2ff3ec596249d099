"""The monitoring dashboard on v2 levels: any window (presets or a custom range), one grouped count for every
card and table and one bucketed count for the chart, both from the rollups (``aggregates``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitoring import aggregates, charts, stats, stats_v2
from monitoring.selectors_v2 import UNKNOWN_USE_CASE

PRESETS = {"1h": ("Last hour", timedelta(hours=1)), "24h": ("Last 24 hours", timedelta(hours=24)),
           "7d": ("Last 7 days", timedelta(days=7)), "30d": ("Last 30 days", timedelta(days=30))}
DEFAULT_PRESET = "24h"
MAX_CHART_BARS = 120
LEVEL_SERIES = (("success_count", "Success", "s-success"), ("warning_count", "Warning", "s-warning"),
                ("info_count", "Info", "s-skipped"), ("error_count", "Error", "s-error"))
GROUPED = [
    aggregates.Measure("total_events"),
    aggregates.Measure("success_count", where={"level": "success"}),
    aggregates.Measure("error_count", where={"level": "error"}),
    aggregates.Measure("warning_count", where={"level": "warning"}),
    aggregates.Measure("info_count", where={"level": "info"}),
    aggregates.Measure("ack_timeout_count", where={"code": "ACK_TIMEOUT"}),
    aggregates.Measure("last_error_at", "last", where={"level": "error"}),
]


class RangeInvalid(ValueError):
    pass


@dataclass
class Range:
    start: datetime
    end: datetime
    label: str
    preset: str | None
    interval: str


def interval_for(span: timedelta) -> str:
    """The finest interval that draws at most 120 bars (1d beyond; more than 200 days is refused)."""
    for name, step in stats.INTERVALS.items():
        if span / step <= MAX_CHART_BARS:
            return name
    if span / stats.INTERVALS["1d"] > stats.MAX_BUCKETS:
        raise RangeInvalid(f"the range spans more than {stats.MAX_BUCKETS} days")
    return "1d"


def resolve_range(preset: str | None, start: datetime | None, end: datetime | None, now: datetime) -> Range:
    if start is not None or end is not None:
        end = end or now
        if start is None:
            start = end - PRESETS[DEFAULT_PRESET][1]
        if start >= end:
            raise RangeInvalid("from must be before to")
        return Range(start, end, "Custom range", None, interval_for(end - start))
    key = preset if preset in PRESETS else DEFAULT_PRESET
    label, span = PRESETS[key]
    return Range(now - span, now, label, key, interval_for(span))


def _fold(groups: dict[tuple, dict], index: int | None) -> dict[Any, dict]:
    """Sum the grouped counts down to one key (``index`` into the group key; ``None``: everything)."""
    out: dict[Any, dict] = {}
    for key, counts in groups.items():
        entry = out.setdefault(None if index is None else key[index], {"total_events": 0, "success_count": 0, "error_count": 0, "warning_count": 0,
                                            "info_count": 0, "ack_timeout_count": 0, "last_error_at": None})
        for name in entry:
            if name == "last_error_at":
                if counts.get(name) and (entry[name] is None or counts[name] > entry[name]):
                    entry[name] = counts[name]
            else:
                entry[name] += counts.get(name, 0)
    for entry in out.values():
        entry["success_rate"] = stats_v2.success_rate(entry)
    return out


def figures(*, org_id: str, integration_id: str, window: Range, use_case_names: dict[str, str]) -> dict[str, Any]:
    span = aggregates.Window(window.start, window.end)
    groups = aggregates.count(org_id=org_id, integration_id=integration_id, window=span, measures=GROUPED,
                              group_by=["use_case_id", "use_case_type", "code"])
    totals = _fold(groups, None).get(None) or {
        **dict.fromkeys(("total_events", "success_count", "error_count", "warning_count", "info_count",
                         "ack_timeout_count"), 0), "last_error_at": None, "success_rate": 0.0}
    by_use_case = []
    for use_case_id, entry in _fold(groups, 0).items():
        name = use_case_names.get(use_case_id)
        by_use_case.append({**entry, "use_case_id": use_case_id, "name": name,
                            "unknown": bool(use_case_id) and name is None})
    by_use_case.sort(key=lambda e: (-e["total_events"], e["name"] or e["use_case_id"]))
    by_type = sorted(({**entry, "use_case_type": key} for key, entry in _fold(groups, 1).items()),
                     key=lambda e: -e["total_events"])
    by_code = sorted(({**entry, "code": key} for key, entry in _fold(groups, 2).items() if key),
                     key=lambda e: (-e["error_count"] - e["warning_count"], -e["total_events"]))
    series = stats_v2.time_series(org_id=org_id, integration_id=integration_id, start=window.start, end=window.end,
                                  interval=window.interval, use_case_type=None, group_by=None)
    tick = "%d %b" if window.end - window.start > timedelta(days=2) else "%H:%M"
    chart = charts.stacked_chart([{"timestamp": b["timestamp"], "all": b} for b in series["buckets"]], "all",
                                 LEVEL_SERIES, tick)
    return {"totals": totals, "by_use_case": by_use_case, "by_type": by_type, "by_code": by_code[:25],
            "chart": chart, "unknown_label": UNKNOWN_USE_CASE}
