"""The monitoring dashboard's figures: the windows it offers, breakdowns folded per use case and per error
category, and the geometry of the server-drawn SVG charts.

The numbers come from ``monitoring.stats`` (the functions behind getMonitoringStats and
getMonitoringTimeSeries); this module only reshapes their few aggregated rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitoring import stats


@dataclass(frozen=True)
class Window:
    key: str
    label: str
    span: timedelta
    interval: str  # a key of monitoring.stats.INTERVALS; span / interval stays far below MAX_BUCKETS
    tick_format: str  # strftime of the x-axis labels


WINDOWS = {
    window.key: window
    for window in (
        Window("1h", "Last hour", timedelta(hours=1), "5m", "%H:%M"),
        Window("24h", "Last 24 hours", timedelta(hours=24), "1h", "%H:%M"),
        Window("7d", "Last 7 days", timedelta(days=7), "3h", "%d %b"),
        Window("30d", "Last 30 days", timedelta(days=30), "1d", "%d %b"),
    )
}
DEFAULT_WINDOW = "24h"

INBOUND_SERIES = (  # (counter in the bucket, legend label, CSS class): stacked bottom to top
    ("success_count", "Success", "s-success"),
    ("warning_count", "Warning", "s-warning"),
    ("skipped_count", "Skipped", "s-skipped"),
    ("error_count", "Error", "s-error"),
)
OUTBOUND_SERIES = (
    ("success_count", "Succeeded", "s-success"),
    ("pending_count", "Pending", "s-pending"),
    ("error_count", "Failed", "s-error"),
)
FOLDED_COUNTERS = ("total_events", "success_count", "error_count", "skipped_count", "warning_count")


def window_of(key: str | None) -> Window:
    return WINDOWS.get(key or DEFAULT_WINDOW, WINDOWS[DEFAULT_WINDOW])


def fold(breakdown: list[dict], key: str) -> list[dict]:
    """Sum breakdown rows grouped by several keys down to one key (rows with most events first).

    ``total_correlations`` is not summed: distinct counts do not add up across groups.
    """
    groups: dict = {}
    for row in breakdown:
        group = groups.setdefault(row[key], {key: row[key], **dict.fromkeys(FOLDED_COUNTERS, 0), "last_error_at": None})
        for name in FOLDED_COUNTERS:
            group[name] += row.get(name) or 0
        if row.get("last_error_at") and (group["last_error_at"] is None or row["last_error_at"] > group["last_error_at"]):
            group["last_error_at"] = row["last_error_at"]
    out = list(groups.values())
    for group in out:
        group["success_rate"] = stats.inbound_success_rate(group)
        group["last_error_at"] = parse_time(group["last_error_at"])
    out.sort(key=lambda group: (-group["total_events"], str(group[key])))
    return out


def parse_time(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value


# --- charts -------------------------------------------------------------------------------------------------

WIDTH, HEIGHT = 960, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 24, 10, 26


@dataclass
class Chart:
    """Everything the template needs to draw stacked bars; coordinates are in the SVG's viewBox."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict] = field(default_factory=list)  # {x, width, title, segments: [{y, height, css}]}
    y_ticks: list[dict] = field(default_factory=list)  # {y, label}
    x_ticks: list[dict] = field(default_factory=list)  # {x, label}
    legend: list[dict] = field(default_factory=list)  # {label, css, total}
    total: int = 0
    baseline: float = HEIGHT - PAD_BOTTOM
    left: float = PAD_LEFT
    right: float = WIDTH - PAD_RIGHT


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^n at or above ``value``, at least 5: a fifth of it is a whole number, so
    the axis gets five even ticks."""
    value = max(value, 5)
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def stacked_chart(buckets: list[dict], side: str, series, tick_format: str) -> Chart:
    """``buckets``: the getMonitoringTimeSeries buckets; ``side``: "inbound" or "outbound"."""
    chart = Chart()
    count = max(len(buckets), 1)
    plot_width = chart.right - chart.left
    plot_height = chart.baseline - PAD_TOP
    slot = plot_width / count
    bar_width = max(slot * 0.72, 1.0)
    totals = [sum((bucket[side] or {}).get(name, 0) for name, _, _ in series) for bucket in buckets]
    top = nice_ceiling(max(totals, default=0))
    chart.total = sum(totals)
    chart.legend = [
        {"label": label, "css": css, "total": sum((bucket[side] or {}).get(name, 0) for bucket in buckets)}
        for name, label, css in series
    ]
    for index, tick in enumerate(range(0, top + 1, top // 5)):
        chart.y_ticks.append({"y": round(chart.baseline - plot_height * tick / top, 1), "label": tick, "index": index})
    label_every = max(1, -(-count // 8))
    for index, bucket in enumerate(buckets):
        counts = bucket[side] or {}
        x = chart.left + slot * index + (slot - bar_width) / 2
        moment = parse_time(bucket["timestamp"])
        y = chart.baseline
        segments = []
        for name, _, css in series:
            value = counts.get(name, 0)
            if value:
                height = plot_height * value / top
                y -= height
                segments.append({"y": round(y, 2), "height": round(height, 2), "css": css})
        parts = ", ".join(f"{label} {counts.get(name, 0)}" for name, label, _ in series)
        chart.bars.append({
            "x": round(x, 2), "width": round(bar_width, 2), "segments": segments,
            "title": f"{moment:%Y-%m-%d %H:%M} UTC: {parts}",
        })
        if index % label_every == 0:
            chart.x_ticks.append({"x": round(x + bar_width / 2, 1), "label": moment.strftime(tick_format)})
    return chart
