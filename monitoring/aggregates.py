"""Counting the store: whole 5-minute buckets from the rollups, the partial edge buckets from raw rows.

A *measure* names a counter and the key condition it counts (``{"level": "error"}``); the same measure is a
``Sum`` over the rollup and a ``Count`` over raw rows, so both halves of a window give the same numbers and are
added per group key. Group keys are rollup key columns (``""`` stands for none on both sides) or ``date``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractMinute,
    Floor,
    TruncDate,
    TruncDay,
    TruncHour,
)

from monitoring import rollups
from monitoring.models import MonitoringEvent, MonitoringRollup

NULLABLE_KEYS = ("use_case_id", "error_category", "integration_id")
ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Measure:
    """``kind``: ``rows`` (count), ``received``/``correlations`` (head flags) or ``last`` (latest time)."""

    name: str
    kind: str = "rows"
    where: dict = field(default_factory=dict)


@dataclass
class Window:
    start: datetime
    end: datetime  # inclusive

    def split(self, hours: bool = True) -> tuple[list[tuple[int, datetime, datetime]], list[tuple[datetime, datetime]]]:
        """(rollup ranges ``(grain, lo, hi)`` of whole hours and whole 5-minute buckets, raw ranges ``[a, b)``
        of the partial buckets at the edges). ``hours=False`` keeps to 5-minute buckets (sub-hour intervals)."""
        stop = self.end + ONE_MICROSECOND
        lo = rollups.ceil_bucket(self.start)
        hi = rollups.bucket_of(stop)
        if lo >= hi:
            return [], [(self.start, stop)]
        edges = [(a, b) for a, b in ((self.start, lo), (hi, stop)) if a < b]
        hour_lo, hour_hi = rollups.ceil_bucket(lo, rollups.HOUR), rollups.bucket_of(hi, rollups.HOUR)
        if not hours or hour_lo >= hour_hi:
            return [(5, lo, hi)], edges
        ranges = [(60, hour_lo, hour_hi)]
        ranges += [(5, a, b) for a, b in ((lo, hour_lo), (hour_hi, hi)) if a < b]
        return ranges, edges


def _rollup_expr(measure: Measure):
    condition = Q(**measure.where) if measure.where else None
    if measure.kind == "last":
        return Max("last_at", filter=condition)
    column = {"rows": "rows", "received": "received", "correlations": "correlations"}[measure.kind]
    return Coalesce(Sum(column, filter=condition), Value(0))


def _raw_where(where: dict) -> Q:
    q = Q()
    for key, value in where.items():
        name, _, lookup = key.partition("__")
        if name in NULLABLE_KEYS or name == "v1_status":
            if lookup == "in" and "" in value:
                q &= Q(**{f"{name}__in": [v for v in value if v != ""]}) | Q(**{f"{name}__isnull": True})
            elif value == "" and not lookup:
                q &= Q(**{f"{name}__isnull": True}) | Q(**{name: ""})
            elif lookup == "gt" and value == "":  # "has a value"
                q &= Q(**{f"{name}__isnull": False}) & ~Q(**{name: ""})
            else:
                q &= Q(**{key: value})
        else:
            q &= Q(**{key: value})
    return q


def _raw_expr(measure: Measure):
    condition = _raw_where(measure.where)
    if measure.kind == "last":
        return Max("completed_at", filter=condition)
    if measure.kind == "received":
        condition &= Q(received_head=True)
    elif measure.kind == "correlations":
        condition &= Q(correlation_head=True)
    return Count("id", filter=condition)


def _group_exprs(keys: list[str], time_field: str) -> dict[str, Any]:
    out = {}
    for key in keys:
        if key == "date":
            out["g_date"] = TruncDate(time_field, tzinfo=UTC)
        elif key == "event_name":
            out["g_event_name"] = F("object_type")
        else:
            out[f"g_{key}"] = F(key)
    return out


def _bucket_exprs(time_field: str, interval: str, step: timedelta) -> dict[str, Any]:
    if interval == "1d":
        return {"t_base": TruncDay(time_field, tzinfo=UTC), "t_index": Value(0)}
    if interval == "3h":
        return {"t_base": TruncDay(time_field, tzinfo=UTC), "t_index": Floor(ExtractHour(time_field, tzinfo=UTC) / 3)}
    if interval == "1h":
        return {"t_base": TruncHour(time_field, tzinfo=UTC), "t_index": Value(0)}
    minutes = int(step.total_seconds() // 60)
    return {"t_base": TruncHour(time_field, tzinfo=UTC), "t_index": Floor(ExtractMinute(time_field, tzinfo=UTC) / minutes)}


def count(
    *,
    org_id: str,
    integration_id: str,
    window: Window,
    measures: list[Measure],
    where: dict | None = None,
    group_by: list[str] | None = None,
    interval: tuple[str, timedelta] | None = None,
) -> dict[tuple, dict[str, Any]]:
    """``{group key tuple: {measure name: value}}`` over the window. With ``interval`` the first element of
    every key is the bucket start (UTC). ``where`` filters rows on key columns (rollup lookups)."""
    group_by = group_by or []
    where = where or {}
    whole, edges = window.split(hours=interval is None or interval[1] >= rollups.HOUR)
    result: dict[tuple, dict[str, Any]] = {}

    def run(qs: QuerySet, time_field: str, expr) -> None:
        groups = _group_exprs(group_by, time_field)
        if interval is not None and time_field == "bucket":
            groups["t_bucket"] = F("bucket")  # rollup buckets are aligned already: fold them in Python
        elif interval is not None:
            groups.update(_bucket_exprs(time_field, interval[0], interval[1]))
        annotations = {m.name: expr(m) for m in measures}
        rows = qs.values(**groups).annotate(**annotations) if groups else [qs.aggregate(**annotations)]
        for row in rows:
            key = tuple(_plain_key(row[f"g_{k}"]) for k in group_by)
            if interval is not None and "t_bucket" in row:
                moment = row["t_bucket"] if row["t_bucket"].tzinfo else row["t_bucket"].replace(tzinfo=UTC)
                key = (rollups.bucket_of(moment, interval[1]), *key)
            elif interval is not None:
                base = row["t_base"]
                if base.tzinfo is None:
                    base = base.replace(tzinfo=UTC)
                key = (base.astimezone(UTC) + interval[1] * int(row["t_index"] or 0), *key)
            entry = result.setdefault(key, {})
            for m in measures:
                value = row[m.name]
                if m.kind == "last":
                    if value is not None and value.tzinfo is None:
                        value = value.replace(tzinfo=UTC)
                    if value is not None and (entry.get(m.name) is None or value > entry[m.name]):
                        entry[m.name] = value
                    entry.setdefault(m.name, None)
                else:
                    entry[m.name] = entry.get(m.name, 0) + int(value or 0)

    base_rollup = MonitoringRollup.objects.filter(organization_id=org_id, integration_id=integration_id)
    if where:
        base_rollup = base_rollup.filter(**where)
    for grain in sorted({grain for grain, _, _ in whole}, reverse=True):  # one query per grain
        ranges = Q()
        for _, lo, hi in (r for r in whole if r[0] == grain):
            ranges |= Q(bucket__gte=lo, bucket__lt=hi)
        run(base_rollup.filter(ranges, grain=grain).order_by(), "bucket", _rollup_expr)
    if edges:  # the partial buckets at both ends, in one query
        raw = MonitoringEvent.objects.filter(organization_id=org_id, integration_id=integration_id)
        if where:
            raw = raw.filter(_raw_where(where))
        ranges = Q()
        for a, b in edges:
            ranges |= Q(completed_at__gte=a, completed_at__lt=b)
        run(raw.filter(ranges).order_by(), "completed_at", _raw_expr)
    if not group_by and interval is None and () not in result:
        result[()] = {m.name: (None if m.kind == "last" else 0) for m in measures}
    # Groups with no rows in the window (a rollup Sum over no rows) are dropped.
    return {k: v for k, v in result.items() if group_by == [] or any(
        v.get(m.name) for m in measures if m.kind != "last")}


def _plain_key(value: Any) -> Any:
    return "" if value is None else value
