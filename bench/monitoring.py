"""Monitoring at scale on PostgreSQL: the v1 and v2 read operations and the dashboard over N monitoring rows
spread over 7 days (default 1,000,000; ``--rows 10000000`` for the large run). Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitoring_bench .venv/bin/python bench/monitoring.py \
        [--rows 1000000] [--repeat 5] [--keep]

Target (issue 13): every figure below 200 ms at 1M and at 10M rows. The database (name ending in "bench") is
recreated, migrated, seeded with one set-based INSERT … SELECT generate_series (the mix of a busy integration:
success, errors, warnings, skipped, deliveries, duplicates, external spans over four use cases), its 5-minute
rollups built with one INSERT … GROUP BY (what the write path maintains row by row), ANALYZEd, and dropped at
the end unless --keep. Each figure is the median of --repeat calls through the full HTTP stack (Django test
client: authentication, serializers, JSON) after one warm-up call.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from store import admin_connection, drop_database, recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/monitoring_bench"

SEED = """
INSERT INTO monitoring_monitoringevent (event_id, correlation_id, integration_id, use_case_id, event_type,
    object_type, sync_type, v1_status, error_code, error_message, error_category, processing_duration_ms,
    received_at, completed_at, details, organization_id, use_case_type, source, level, code, message,
    received_head, correlation_head)
SELECT 'ev-' || g, 'corr-' || (g / 2), %(integration)s,
       CASE WHEN r < 94 THEN (%(use_cases)s::text[])[1 + g %% 4] ELSE NULL END,
       NULL, 'CustomerChanged',
       CASE WHEN r < 94 THEN 'entity' ELSE '' END,
       CASE WHEN r < 80 THEN 'success' WHEN r < 88 THEN 'error' WHEN r < 92 THEN 'warning'
            WHEN r < 94 THEN 'skipped' END,
       CASE WHEN r BETWEEN 80 AND 87 THEN 'JSONATA_ERROR' END,
       CASE WHEN r BETWEEN 80 AND 87 THEN 'mapping failed' END,
       CASE WHEN r BETWEEN 80 AND 87 THEN 'configuration' END,
       12, at, at, '{}'::jsonb, %(org)s,
       CASE WHEN r < 94 OR r = 98 OR r = 99 THEN 'inbound' ELSE 'outbound' END,
       CASE WHEN r < 94 OR r = 98 THEN 'inbound' WHEN r = 99 THEN 'external' ELSE 'outbound' END,
       CASE WHEN r < 80 OR r BETWEEN 94 AND 97 THEN 'success' WHEN r < 88 OR r = 99 THEN 'error'
            WHEN r < 92 THEN 'warning' ELSE 'info' END,
       CASE WHEN r < 80 THEN '' WHEN r < 88 THEN 'MAPPING_EXPRESSION_FAILED' WHEN r < 92 THEN 'LOOKUP_UNMAPPED'
            WHEN r < 94 THEN 'STEP_DISABLED' WHEN r < 98 THEN 'WEBHOOK_DELIVERED' WHEN r = 98 THEN 'DUPLICATE_EVENT'
            ELSE 'EXTERNAL_ERROR' END,
       'bench row', r < 94, r < 94 AND g %% 2 = 0
FROM (SELECT g, g %% 100 AS r, now() - interval '7 days' * (g::float8 / %(rows)s) AS at
      FROM generate_series(1, %(rows)s) AS g) AS s
"""

ROLLUP = """
INSERT INTO monitoring_monitoringrollup (organization_id, integration_id, grain, bucket, use_case_id, use_case_type, level,
    code, v1_status, sync_type, error_category, object_type, rows, received, correlations, last_at)
SELECT organization_id, integration_id, grain, date_bin(grain * interval '1 minute', completed_at, TIMESTAMPTZ '1970-01-01 00:00:00+00'),
       coalesce(use_case_id, ''), use_case_type, level, code, coalesce(v1_status, ''), sync_type,
       coalesce(error_category, ''), object_type, count(*), count(*) FILTER (WHERE received_head),
       count(*) FILTER (WHERE correlation_head), max(completed_at)
FROM monitoring_monitoringevent, (VALUES (5), (60)) AS grains(grain)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by an earlier --keep run")
    return parser.parse_args()


def setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpintegration.settings")
    os.environ["ALLOWED_HOSTS"] = "*"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(rows: int):
    from django.db import connection

    from erpintegration.tokens import issue_token
    from tests.factories import IntegrationFactory, MembershipFactory, OrganizationFactory, UseCaseFactory

    org = OrganizationFactory(name="Bench")
    integration = IntegrationFactory(organization=org, name="Bench ERP")
    use_cases = [str(UseCaseFactory(integration=integration, name=f"UC {n}", slug=f"uc-{n}").pk) for n in range(4)]
    member = MembershipFactory(organization=org, role="admin")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(SEED, {"integration": str(integration.pk), "use_cases": use_cases, "org": org.pk, "rows": rows})
        seeded = time.perf_counter()
        cursor.execute(ROLLUP)
        cursor.execute("SELECT count(*) FROM monitoring_monitoringrollup")
        rollup_rows = cursor.fetchone()[0]
        cursor.execute("ANALYZE monitoring_monitoringevent")
        cursor.execute("ANALYZE monitoring_monitoringrollup")
    print(f"seeded {rows:,} rows in {seeded - started:.1f} s; {rollup_rows:,} rollup rows in "
          f"{time.perf_counter() - seeded:.1f} s", flush=True)
    token = issue_token(org, "bench", created_by=member.user).plaintext
    return org, integration, member.user, token


def reuse():
    from erpintegration.models import Membership
    from erpintegration.tokens import issue_token
    from integrations.models import Integration
    from monitoring.models import MonitoringEvent

    integration = Integration.objects.get(name="Bench ERP")
    member = Membership.objects.filter(organization_id=integration.organization_id).first()
    token = issue_token(integration.organization, "bench", created_by=member.user).plaintext
    return integration, member.user, token, MonitoringEvent.objects.count()


def timed(label: str, call, repeat: int) -> float:
    response = call()
    assert response.status_code in (200, 202), (label, response.status_code, response.content[:500])
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 202), (label, response.status_code)
    median = statistics.median(samples)
    print(f"  {label:<58} {median:8.1f} ms  (min {min(samples):.1f}, max {max(samples):.1f})", flush=True)
    return median


def measure(integration, user, token, rows: int, repeat: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient

    from monitoring.rows import iso, v2_id

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    base1 = f"/v1/integrations/{integration.pk}/monitoring"
    base2 = f"/v2/integrations/{integration.pk}/monitoring"
    now = timezone.now()
    week = {"from_date": iso(now - timezone.timedelta(days=7)), "to_date": iso(now)}
    with connection.cursor() as cursor:  # a row 90 % deep (by time) for the deep-page cursors
        cursor.execute("SELECT completed_at, event_id, id FROM monitoring_monitoringevent WHERE v1_status IS NOT NULL "
                       "AND completed_at <= now() - interval '151 hours' ORDER BY completed_at DESC LIMIT 1")
        deep_at, deep_event, deep_id = cursor.fetchone()
    post = lambda path, body: lambda: api.post(path, body, format="json")  # noqa: E731
    figures = {}
    print(f"figures at {rows:,} rows (median of {repeat}):", flush=True)
    calls = [
        ("v1 getMonitoringStats 7d", post(f"{base1}/stats", week)),
        ("v1 getMonitoringStats 7d grouped by 4 keys", post(f"{base1}/stats", {
            **week, "inbound_group_by": ["use_case_id", "status", "error_category", "sync_type"],
            "outbound_group_by": ["status", "webhook_config_id"]})),
        ("v1 getMonitoringTimeSeries 7d / 1h", post(f"{base1}/timeseries", {**week, "interval": "1h"})),
        ("v1 queryInboundMonitoringEvents first page", post(f"{base1}/inbound-events", {"limit": 50})),
        ("v1 queryInboundMonitoringEvents page 90 % deep", post(f"{base1}/inbound-events", {"limit": 50, "cursor": {
            "completed_at": iso(deep_at), "event_id": deep_event, "row_id": deep_id}})),
        ("v1 queryInboundMonitoringEvents errors only, deep", post(f"{base1}/inbound-events", {
            "limit": 50, "status": "error", "cursor": {"completed_at": iso(deep_at), "event_id": deep_event}})),
        ("v2 queryMonitoringEventsV2 first page", post(f"{base2}/events", {"limit": 50})),
        ("v2 queryMonitoringEventsV2 page 90 % deep", post(f"{base2}/events", {"limit": 50, "cursor": {
            "created_at": iso(deep_at), "id": v2_id(deep_id)}})),
        ("v2 getMonitoringStatsV2 7d", post(f"{base2}/stats", week)),
        ("v2 getMonitoringStatsV2 7d group_by code", post(f"{base2}/stats", {**week, "group_by": "code"})),
        ("v2 getMonitoringStatsV2 7d incoming by use case", post(f"{base2}/stats", {
            **week, "source": "incoming", "group_by": "use_case_id"})),
        ("v2 getMonitoringTimeSeriesV2 7d / 1h by use case", post(f"{base2}/time-series", {
            **week, "interval": "1h", "group_by": "use_case"})),
        ("v2 getMonitoringTimeSeriesV2 16h / 5m by type", post(f"{base2}/time-series", {
            "from_date": iso(now - timezone.timedelta(hours=16)), "interval": "5m", "group_by": "use_case_type"})),
        ("v2 getMonitoringTraceByCorrelation", lambda: api.get(f"{base2}/traces/corr-{rows // 3}")),
    ]
    for label, call in calls:
        figures[label] = timed(label, call, repeat)
    browser = Client()
    browser.force_login(user)
    figures["UI dashboard 7d"] = timed("UI monitoring dashboard 7d", lambda: browser.get(
        f"/integrations/{integration.pk}/monitoring/?window=7d"), repeat)
    return figures


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    admin_connection(url)  # refuses anything but a *bench database
    if not args.reuse:
        recreate_database(url)
    try:
        setup_django(url)
        if args.reuse:
            integration, user, token, args.rows = reuse()
        else:
            _, integration, user, token = seed(args.rows)
        figures = measure(integration, user, token, args.rows, args.repeat)
        worst = max(figures.values())
        print(f"slowest: {worst:.1f} ms ({'under' if worst < 200 else 'OVER'} the 200 ms target)")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
