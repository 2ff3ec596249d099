"""Rollups of the monitoring store (5-minute and hourly grains), kept exact in the transaction that writes the
rows.

Every interval the API offers (5m … 1d) and every stats window is a union of whole hours, whole 5-minute UTC
buckets at the hours' edges and at most two partial buckets; whole hours and buckets are read from
:class:`MonitoringRollup` (a few thousand rows for a week, whatever the traffic), the partial ones from raw rows. Increments are upserts
(``INSERT … ON CONFLICT DO UPDATE``, PostgreSQL and SQLite alike), keys sorted so concurrent writers take row
locks in one order.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import connection as default_connection

from monitoring.models import MonitoringEvent, MonitoringRollup

BUCKET = timedelta(minutes=5)
HOUR = timedelta(hours=1)
GRAINS = {5: BUCKET, 60: HOUR}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COUNTERS = ("rows", "received", "correlations")


def bucket_of(moment: datetime, step: timedelta = BUCKET) -> datetime:
    """The start of the UTC bucket of ``step`` (5 minutes by default) holding ``moment``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return EPOCH + ((moment - EPOCH) // step) * step


def ceil_bucket(moment: datetime, step: timedelta = BUCKET) -> datetime:
    start = bucket_of(moment, step)
    return start if start == moment else start + step


def key_of(row: MonitoringEvent, grain: int = 5) -> tuple:
    return (
        row.organization_id, row.integration_id or "", grain, bucket_of(row.completed_at, GRAINS[grain]),
        row.use_case_id or "",
        row.use_case_type or "", row.level, row.code or "", row.v1_status or "", row.sync_type or "",
        row.error_category or "", row.object_type or "",
    )


def add(rows: Iterable[MonitoringEvent], connection=None) -> None:
    """Count ``rows`` (just written) into their buckets."""
    totals: dict[tuple, list] = {}
    for row in rows:
        for grain in GRAINS:
            entry = totals.setdefault(key_of(row, grain), [0, 0, 0, row.completed_at])
            entry[0] += 1
            entry[1] += 1 if row.received_head else 0
            entry[2] += 1 if row.correlation_head else 0
            if row.completed_at > entry[3]:
                entry[3] = row.completed_at
    if not totals:
        return
    connection = connection or default_connection
    table = connection.ops.quote_name(MonitoringRollup._meta.db_table)
    columns = [*MonitoringRollup.KEY, *COUNTERS, "last_at"]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    keys = ", ".join(MonitoringRollup.KEY)
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in COUNTERS)
    items = sorted(totals.items(), key=lambda item: tuple(str(part) for part in item[0]))
    with connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            chunk = items[start:start + 500]
            params: list = []
            for key, (n, received, correlations, last_at) in chunk:
                params.extend([*_db_key(key, connection), n, received, correlations, _db_time(last_at, connection)])
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT ({keys}) DO UPDATE SET {updates}, "
                f"last_at = CASE WHEN excluded.last_at > {table}.last_at THEN excluded.last_at ELSE {table}.last_at END",
                params,
            )


def _db_key(key: tuple, connection) -> list:
    values = list(key)
    values[3] = _db_time(values[3], connection)
    return values


def _db_time(value: datetime, connection):
    return connection.ops.adapt_datetimefield_value(value)


def delete_before(cutoff: datetime) -> int:
    """Drop rollup buckets before ``cutoff`` (aligned to the hour by the caller, so both grains agree)."""
    deleted, _ = MonitoringRollup.objects.filter(bucket__lt=bucket_of(cutoff, HOUR)).delete()
    return deleted
