"""Aggregates over monitoring rows: stats with group-by and time series (docs/monitoring.md).

Everything is counted in the database (conditional aggregation over ``values()`` groups); Python only
shapes the few aggregated rows. Bucketing is portable across SQLite and PostgreSQL: rows are grouped by their
UTC hour (or day) plus an integer sub-bucket index (minute // k, hour // 3), which lands every row in a bucket
aligned to the interval's UTC boundary because every interval divides an hour or a day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import ExtractHour, ExtractMinute, Floor, TruncDate, TruncDay, TruncHour

from monitoring import aggregates
from monitoring.models import InboundMonitoringEvent, InboundStatus, OutboundMonitoringEvent, OutboundStatus

DEFAULT_STATS_WINDOW = timedelta(days=7)
MAX_BUCKETS = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

INBOUND_GROUP_BY = ("use_case_id", "sync_type", "status", "error_category", "object_type", "event_name", "date")
OUTBOUND_GROUP_BY = ("event_name", "status", "webhook_config_id", "date")

INTERVALS: dict[str, timedelta] = {
    "5m": timedelta(minutes=5),
    "10m": timedelta(minutes=10),
    "30m": timedelta(minutes=30),
    "1h": timedelta(hours=1),
    "3h": timedelta(hours=3),
    "1d": timedelta(days=1),
}
DIRECTIONS = ("inbound", "outbound", "both")


class TooManyBuckets(ValueError):
    def __init__(self, count: int):
        super().__init__(f"{count} buckets")
        self.count = count


# --- querysets and counters -------------------------------------------------------------------------------

def _inbound_rows(org_id: str, integration_id: str, start: datetime, end: datetime) -> QuerySet:
    return InboundMonitoringEvent.objects.filter(
        organization_id=org_id, integration_id=integration_id, completed_at__gte=start, completed_at__lte=end
    ).order_by()


def _outbound_rows(org_id: str, integration_id: str, start: datetime, end: datetime) -> QuerySet:
    return OutboundMonitoringEvent.objects.filter(
        organization_id=org_id, integration_id=integration_id, created_at__gte=start, created_at__lte=end
    ).order_by()


def _status_count(status: str) -> Count:
    return Count("id", filter=Q(status=status))


INBOUND_COUNTERS = {
    "total_events": Count("id"),
    "total_correlations": Count("correlation_id", distinct=True, filter=~Q(correlation_id="")),
    "success_count": _status_count(InboundStatus.SUCCESS),
    "error_count": _status_count(InboundStatus.ERROR),
    "skipped_count": _status_count(InboundStatus.SKIPPED),
    "warning_count": _status_count(InboundStatus.WARNING),
    "last_error_at": Max("completed_at", filter=Q(status=InboundStatus.ERROR)),
}
OUTBOUND_COUNTERS = {
    "total_events": Count("id"),
    "success_count": _status_count(OutboundStatus.SUCCEEDED),
    "error_count": _status_count(OutboundStatus.FAILED),
    "pending_count": _status_count(OutboundStatus.PENDING),
    # A delivery's failure is recorded when its last attempt fails, i.e. its last update.
    "last_error_at": Max("updated_at", filter=Q(status=OutboundStatus.FAILED)),
}


def inbound_success_rate(counts: dict) -> float:
    """success / (total - skipped) x 100: skipped rows are no outcome; 0 when nothing is left."""
    return _percent(counts["success_count"], counts["total_events"] - counts["skipped_count"])


def outbound_success_rate(counts: dict) -> float:
    """success / (success + failed) x 100: pending deliveries have no outcome yet; 0 when none has one."""
    return _percent(counts["success_count"], counts["success_count"] + counts["error_count"])


def _percent(part: int, whole: int) -> float:
    return round(part * 100.0 / whole, 2) if whole > 0 else 0.0


# --- stats ------------------------------------------------------------------------------------------------

def stats_window(from_date: datetime | None, to_date: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """Missing bounds: ``to`` = now, ``from`` = ``to`` - 7 days (clamped at the smallest datetime)."""
    end = to_date or now
    if from_date is not None:
        return from_date, end
    try:
        return end - DEFAULT_STATS_WINDOW, end
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC), end


def _inbound_group_expressions(keys: list[str]) -> dict[str, Any]:
    mapping = {
        "event_name": F("object_type"),  # the contract's alias of object_type
        "date": TruncDate("completed_at", tzinfo=UTC),
    }
    return {f"g_{key}": mapping.get(key, F(key)) for key in keys}


def _outbound_group_expressions(keys: list[str]) -> dict[str, Any]:
    mapping = {"date": TruncDate("created_at", tzinfo=UTC)}
    return {f"g_{key}": mapping.get(key, F(key)) for key in keys}


def _breakdown(qs: QuerySet, keys: list[str], groups: dict[str, Any], counters: dict, rate) -> list[dict]:
    if not keys:
        return []
    rows = qs.values(**groups).annotate(**counters)
    out = []
    for row in rows:
        entry = {key: _plain(row[f"g_{key}"]) for key in keys}
        entry.update(_counters_as_contract(row, counters, rate))
        out.append(entry)
    # None first, then ascending: the same order on every database.
    out.sort(key=lambda entry: tuple((entry[k] is not None, entry[k] if entry[k] is not None else "") for k in keys))
    return out


def _counters_as_contract(row: dict, counters: dict, rate) -> dict[str, Any]:
    body = {name: row[name] or 0 for name in counters if name != "last_error_at"}
    body["success_rate"] = rate(body)
    body["last_error_at"] = _iso(row["last_error_at"]) if row["last_error_at"] else None
    return body


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def monitoring_stats(
    *,
    org_id: str,
    integration_id: str,
    start: datetime,
    end: datetime,
    inbound_group_by: list[str],
    outbound_group_by: list[str],
) -> dict[str, Any]:
    """The ``MonitoringStats`` body for rows in ``[start, end]`` (inbound by ``completed_at``, outbound by
    ``created_at``); breakdowns only for the requested group keys."""
    outbound = _outbound_rows(org_id, integration_id, start, end)
    inbound_body = inbound_stats(org_id=org_id, integration_id=integration_id, start=start, end=end,
                                 group_by=inbound_group_by)
    outbound_body = _counters_as_contract(
        outbound.aggregate(**OUTBOUND_COUNTERS), OUTBOUND_COUNTERS, outbound_success_rate
    )
    outbound_body["breakdown"] = _breakdown(
        outbound, outbound_group_by, _outbound_group_expressions(outbound_group_by), OUTBOUND_COUNTERS,
        outbound_success_rate,
    )
    return {"inbound": inbound_body, "outbound": outbound_body}


V1_INBOUND_MEASURES = [
    aggregates.Measure("total_events", where={"v1_status__gt": ""}),
    aggregates.Measure("total_correlations", "correlations", where={"v1_status__gt": ""}),
    aggregates.Measure("success_count", where={"v1_status": InboundStatus.SUCCESS}),
    aggregates.Measure("error_count", where={"v1_status": InboundStatus.ERROR}),
    aggregates.Measure("skipped_count", where={"v1_status": InboundStatus.SKIPPED}),
    aggregates.Measure("warning_count", where={"v1_status": InboundStatus.WARNING}),
    aggregates.Measure("last_error_at", "last", where={"v1_status": InboundStatus.ERROR}),
]
V1_GROUP_COLUMNS = {"status": "v1_status"}
V1_NULL_WHEN_EMPTY = ("use_case_id", "error_category")


def inbound_stats(*, org_id: str, integration_id: str, start: datetime, end: datetime,
                  group_by: list[str]) -> dict[str, Any]:
    """The v0.46 inbound stats (projection on ``v1_status``) from the rollups. ``total_correlations`` counts
    the correlation ids whose first row lies in the window."""
    window = aggregates.Window(start, end)
    common = {"org_id": org_id, "integration_id": integration_id, "window": window, "measures": V1_INBOUND_MEASURES,
              "where": {"v1_status__gt": ""}}
    total = aggregates.count(**common)[()]
    body = _counters_as_contract(total, INBOUND_COUNTERS, inbound_success_rate)
    columns = [V1_GROUP_COLUMNS.get(key, key) for key in group_by]
    breakdown = []
    if group_by:
        for key, counts in aggregates.count(**common, group_by=columns).items():
            entry = {}
            for name, value in zip(group_by, key, strict=True):
                if name in V1_NULL_WHEN_EMPTY and value == "":
                    value = None
                entry[name] = _plain(value)
            entry.update(_counters_as_contract(counts, INBOUND_COUNTERS, inbound_success_rate))
            breakdown.append(entry)
        breakdown.sort(key=lambda e: tuple((e[k] is not None, e[k] if e[k] is not None else "") for k in group_by))
    body["breakdown"] = breakdown
    return body


# --- time series ------------------------------------------------------------------------------------------

def align(moment: datetime, step: timedelta) -> datetime:
    """The start of the UTC interval boundary at or before ``moment`` (epoch-aligned; every interval divides
    a day, so days start at UTC midnight)."""
    return EPOCH + ((moment - EPOCH) // step) * step


def bucket_starts(start: datetime, end: datetime, interval: str) -> list[datetime]:
    """Aligned bucket starts covering ``[start, end]`` (both inclusive); :class:`TooManyBuckets` beyond 200."""
    step = INTERVALS[interval]
    first = align(start, step)
    count = (align(end, step) - first) // step + 1
    if count > MAX_BUCKETS:
        raise TooManyBuckets(count)
    return [first + step * index for index in range(count)]


def _bucket_expressions(field: str, interval: str) -> tuple[dict[str, Any], timedelta]:
    """``{g_base, g_index}`` grouping ``field`` into the interval's buckets, and the step of one index:
    bucket start = g_base + g_index x step."""
    step = INTERVALS[interval]
    if interval == "1d":
        return {"g_base": TruncDay(field, tzinfo=UTC), "g_index": Value(0)}, step
    if interval == "3h":
        return {"g_base": TruncDay(field, tzinfo=UTC), "g_index": Floor(ExtractHour(field, tzinfo=UTC) / 3)}, step
    if interval == "1h":
        return {"g_base": TruncHour(field, tzinfo=UTC), "g_index": Value(0)}, step
    minutes = int(step.total_seconds() // 60)
    return {
        "g_base": TruncHour(field, tzinfo=UTC),
        "g_index": Floor(ExtractMinute(field, tzinfo=UTC) / minutes),
    }, step


INBOUND_SERIES_COUNTERS = {
    "success_count": _status_count(InboundStatus.SUCCESS),
    "error_count": _status_count(InboundStatus.ERROR),
    "warning_count": _status_count(InboundStatus.WARNING),
    "skipped_count": _status_count(InboundStatus.SKIPPED),
    "total_count": Count("id"),
}
V1_SERIES_MEASURES = [
    aggregates.Measure("success_count", where={"v1_status": InboundStatus.SUCCESS}),
    aggregates.Measure("error_count", where={"v1_status": InboundStatus.ERROR}),
    aggregates.Measure("warning_count", where={"v1_status": InboundStatus.WARNING}),
    aggregates.Measure("skipped_count", where={"v1_status": InboundStatus.SKIPPED}),
    aggregates.Measure("total_count", where={"v1_status__gt": ""}),
]
OUTBOUND_SERIES_COUNTERS = {
    "success_count": _status_count(OutboundStatus.SUCCEEDED),
    "error_count": _status_count(OutboundStatus.FAILED),
    "pending_count": _status_count(OutboundStatus.PENDING),
    "total_count": Count("id"),
}


def _bucketed_counts(qs: QuerySet, field: str, interval: str, counters: dict) -> dict[datetime, dict]:
    groups, step = _bucket_expressions(field, interval)
    counts: dict[datetime, dict] = {}
    for row in qs.values(**groups).annotate(**counters):
        base = row["g_base"]
        if base.tzinfo is None:  # SQLite without tz support returns naive UTC
            base = base.replace(tzinfo=UTC)
        start = base.astimezone(UTC) + step * int(row["g_index"] or 0)
        counts[start] = {name: row[name] for name in counters}
    return counts


@dataclass
class TimeSeries:
    interval: str
    from_date: datetime
    to_date: datetime
    buckets: list[dict]

    def as_contract(self) -> dict[str, Any]:
        """The getMonitoringTimeSeries response body."""
        return {
            "interval": self.interval,
            "from_date": _iso(self.from_date),
            "to_date": _iso(self.to_date),
            "buckets": self.buckets,
        }


def monitoring_time_series(
    *, org_id: str, integration_id: str, start: datetime, end: datetime, interval: str, direction: str
) -> TimeSeries:
    """Zero-filled buckets aligned to UTC interval boundaries over rows in ``[start, end]``; the side not
    requested is ``None``. Raises :class:`TooManyBuckets` beyond 200 buckets (before touching the database)."""
    starts = bucket_starts(start, end, interval)
    inbound = outbound = None
    if direction in ("inbound", "both"):
        inbound = {
            key[0]: counts for key, counts in aggregates.count(
                org_id=org_id, integration_id=integration_id, window=aggregates.Window(start, end),
                measures=V1_SERIES_MEASURES, where={"v1_status__gt": ""}, interval=(interval, INTERVALS[interval]),
            ).items()
        }
    if direction in ("outbound", "both"):
        outbound = _bucketed_counts(
            _outbound_rows(org_id, integration_id, start, end), "created_at", interval, OUTBOUND_SERIES_COUNTERS
        )
    buckets = []
    for bucket in starts:
        buckets.append({
            "timestamp": _iso(bucket),
            "inbound": None if inbound is None else inbound.get(bucket, _zeros(INBOUND_SERIES_COUNTERS)),
            "outbound": None if outbound is None else outbound.get(bucket, _zeros(OUTBOUND_SERIES_COUNTERS)),
        })
    return TimeSeries(interval=interval, from_date=start, to_date=end, buckets=buckets)


def _zeros(counters: dict) -> dict[str, int]:
    return dict.fromkeys(counters, 0)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
