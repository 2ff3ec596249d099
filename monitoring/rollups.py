"""5-minute rollups of the monitoring store, kept exact in the transaction that writes the rows.

Every interval the API offers (5m … 1d) and every stats window is a union of whole 5-minute UTC buckets plus at
most two partial buckets at its edges; the whole ones are read from :class:`MonitoringRollup` (a few thousand
rows for a week, whatever the traffic), the partial ones from the raw rows. Increments are upserts
(``INSERT … ON CONFLICT DO UPDATE``, PostgreSQL and SQLite alike), keys sorted so concurrent writers take row
locks in one order.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import connection as default_connection

from .models import MonitoringEvent, MonitoringRollup

BUCKET = timedelta(minutes=5)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COUNTERS = ("rows", "received", "correlations")


def bucket_of(moment: datetime) -> datetime:
    """The start of the 5-minute UTC bucket holding ``moment``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return EPOCH + ((moment - EPOCH) // BUCKET) * BUCKET


def ceil_bucket(moment: datetime) -> datetime:
    start = bucket_of(moment)
    return start if start == moment else start + BUCKET


def key_of(row: MonitoringEvent) -> tuple:
    return (
        row.organization_id, row.integration_id or "", bucket_of(row.completed_at), row.use_case_id or "",
        row.use_case_type or "", row.level, row.code or "", row.v1_status or "", row.sync_type or "",
        row.error_category or "", row.object_type or "",
    )


def add(rows: Iterable[MonitoringEvent], connection=None) -> None:
    """Count ``rows`` (just written) into their buckets."""
    totals: dict[tuple, list] = {}
    for row in rows:
        entry = totals.setdefault(key_of(row), [0, 0, 0, row.completed_at])
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
    values[2] = _db_time(values[2], connection)
    return values


def _db_time(value: datetime, connection):
    return connection.ops.adapt_datetimefield_value(value)


def delete_before(cutoff: datetime) -> int:
    """Drop rollup buckets that end at or before ``cutoff`` (aligned by the caller)."""
    deleted, _ = MonitoringRollup.objects.filter(bucket__lt=bucket_of(cutoff)).delete()
    return deleted
