"""The geometry of the server-drawn SVG stacked-bar charts of the monitoring dashboard (no JavaScript)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
