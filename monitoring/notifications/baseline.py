"""``threshold: "auto"``: an hour-of-week baseline (168 buckets, dow 1 = Monday … 7, hour in UTC) of the rule's
hourly counts over the last four weeks: per bucket the median and the median absolute deviation (MAD);
``upper = median + k·MAD`` with k = 2 (high sensitivity), 3 (medium) or 5 (low).

[interp] The MAD is floored at 1 event in ``upper`` so a perfectly flat history does not alert on one extra
event. The baseline is mature once the integration has seven days of history; before, ``fallbackThreshold``
applies. The window count is scaled to events per hour before it is compared with ``upper``.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median

from django.db.models import Min

from monitoring import aggregates
from monitoring.models import MonitoringRollup
from monitoring.rows import iso

HISTORY = timedelta(days=28)
MATURITY = timedelta(days=7)
K = {"high": 2.0, "medium": 3.0, "low": 5.0}
HOUR = timedelta(hours=1)


def first_data(org_id: str, integration_id: str) -> datetime | None:
    return MonitoringRollup.objects.filter(organization_id=org_id, integration_id=integration_id).aggregate(
        first=Min("bucket"))["first"]


def compute(*, org_id: str, integration_id: str, wheres: list[dict], sensitivity: str, now: datetime) -> dict:
    """``{is_mature, computed_at, median, mad, upper, buckets[168]}`` for the hour of ``now``."""
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - HISTORY
    begun = first_data(org_id, integration_id)
    counts: dict[datetime, int] = {}
    for where in wheres:
        for key, values in aggregates.count(
            org_id=org_id, integration_id=integration_id, window=aggregates.Window(start, end - timedelta(microseconds=1)),
            measures=[aggregates.Measure("n")], where=where, interval=("1h", HOUR),
        ).items():
            counts[key[0]] = counts.get(key[0], 0) + values["n"]
    samples: dict[tuple[int, int], list[int]] = {}
    hour = start if begun is None else max(start, begun.replace(minute=0, second=0, microsecond=0))
    while hour < end:
        samples.setdefault((hour.isoweekday(), hour.hour), []).append(counts.get(hour, 0))
        hour += HOUR
    buckets = []
    for dow in range(1, 8):
        for h in range(24):
            values = samples.get((dow, h))
            if values:
                mid = float(median(values))
                mad = float(median([abs(v - mid) for v in values]))
                buckets.append({"dow": dow, "hour": h, "median": mid, "mad": mad})
    current = next((b for b in buckets if (b["dow"], b["hour"]) == (now.isoweekday(), now.hour)), None)
    k = K.get(sensitivity, K["medium"])
    return {
        "is_mature": begun is not None and begun <= now - MATURITY,
        "computed_at": iso(now),
        "median": current["median"] if current else None,
        "mad": current["mad"] if current else None,
        "upper": (current["median"] + k * max(current["mad"], 1.0)) if current else None,
        "buckets": buckets,
    }
