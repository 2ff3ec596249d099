"""getMonitoringTimeSeries: UTC-aligned, zero-filled buckets per interval, direction, 200-bucket limit."""
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from monitoring.stats import align
from tests.factories import IntegrationFactory
from tests.monitoring.helpers import inbound, outbound
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 3, 10, tzinfo=UTC)


def series(persona, integration_id, **body):
    response = persona.client.post(f"/v1/integrations/{integration_id}/monitoring/timeseries", body, format="json")
    assert_matches_contract("getMonitoringTimeSeries", response)
    return response


@pytest.fixture
def integration(owner):
    return IntegrationFactory(organization=owner.organization)


def test_hourly_buckets_are_aligned_zero_filled_and_counted(owner, integration):
    inbound(integration, DAY.replace(hour=10, minute=30))
    inbound(integration, DAY.replace(hour=10, minute=59, second=59), status="error")
    inbound(integration, DAY.replace(hour=12), status="warning")
    inbound(integration, DAY.replace(hour=13, minute=10), status="skipped")  # the inclusive end
    inbound(integration, DAY.replace(hour=10, minute=19))  # in the first bucket but before from_date
    outbound(integration, DAY.replace(hour=11, minute=5), status="failed")
    outbound(integration, DAY.replace(hour=11, minute=6), status="pending")
    outbound(integration, DAY.replace(hour=13), status="succeeded")
    response = series(owner, integration.id, from_date="2026-03-10T10:20:00Z", to_date="2026-03-10T13:10:00Z",
                      interval="1h")
    assert response.status_code == 200
    body = response.json()
    assert (body["interval"], body["from_date"], body["to_date"]) == (
        "1h", "2026-03-10T10:20:00Z", "2026-03-10T13:10:00Z")
    assert body["buckets"] == [
        {"timestamp": "2026-03-10T10:00:00Z",
         "inbound": {"success_count": 1, "error_count": 1, "warning_count": 0, "skipped_count": 0, "total_count": 2},
         "outbound": {"success_count": 0, "error_count": 0, "pending_count": 0, "total_count": 0}},
        {"timestamp": "2026-03-10T11:00:00Z",
         "inbound": {"success_count": 0, "error_count": 0, "warning_count": 0, "skipped_count": 0, "total_count": 0},
         "outbound": {"success_count": 0, "error_count": 1, "pending_count": 1, "total_count": 2}},
        {"timestamp": "2026-03-10T12:00:00Z",
         "inbound": {"success_count": 0, "error_count": 0, "warning_count": 1, "skipped_count": 0, "total_count": 1},
         "outbound": {"success_count": 0, "error_count": 0, "pending_count": 0, "total_count": 0}},
        {"timestamp": "2026-03-10T13:00:00Z",
         "inbound": {"success_count": 0, "error_count": 0, "warning_count": 0, "skipped_count": 1, "total_count": 1},
         "outbound": {"success_count": 1, "error_count": 0, "pending_count": 0, "total_count": 1}},
    ]


@pytest.mark.parametrize(
    "interval, moments, expected, bucket_count",
    [
        ("5m", ["00:04:59", "00:05:00", "00:14:00"], {"00:00": 1, "00:05": 1, "00:10": 1}, 24),
        ("10m", ["00:09:59", "00:10:00", "01:59:59"], {"00:00": 1, "00:10": 1, "01:50": 1}, 12),
        ("30m", ["00:29:59", "00:30:00", "01:45:00"], {"00:00": 1, "00:30": 1, "01:30": 1}, 4),
        ("1h", ["00:59:59", "01:00:00", "01:45:00"], {"00:00": 1, "01:00": 2}, 2),
        ("3h", ["02:59:59", "03:00:00", "23:00:00"], {"00:00": 1, "03:00": 1, "21:00": 1}, 8),
    ],
)
def test_sub_day_intervals_align_to_utc_boundaries(owner, integration, interval, moments, expected, bucket_count):
    for moment in moments:
        hour, minute, second = map(int, moment.split(":"))
        inbound(integration, DAY.replace(hour=hour, minute=minute, second=second))
    to_date = "2026-03-10T23:59:59Z" if interval == "3h" else "2026-03-10T01:59:59Z"
    body = series(owner, integration.id, from_date="2026-03-10T00:00:00Z", to_date=to_date,
                  interval=interval, direction="inbound").json()
    assert len(body["buckets"]) == bucket_count
    counts = {b["timestamp"][11:16]: b["inbound"]["total_count"] for b in body["buckets"]
              if b["inbound"]["total_count"]}
    assert counts == expected
    assert all(b["outbound"] is None for b in body["buckets"])


def test_five_minute_buckets_over_a_few_hours(owner, integration):
    inbound(integration, DAY.replace(hour=1, minute=7))
    body = series(owner, integration.id, from_date="2026-03-10T00:58:00Z", to_date="2026-03-10T01:12:00Z",
                  interval="5m").json()
    assert [b["timestamp"][11:16] for b in body["buckets"]] == ["00:55", "01:00", "01:05", "01:10"]
    assert [b["inbound"]["total_count"] for b in body["buckets"]] == [0, 0, 1, 0]


def test_daily_buckets_start_at_utc_midnight(owner, integration):
    inbound(integration, datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC))
    inbound(integration, datetime(2026, 3, 11, 0, 0, 0, tzinfo=UTC))
    outbound(integration, datetime(2026, 3, 12, 8, 0, tzinfo=UTC))
    body = series(owner, integration.id, from_date="2026-03-10T06:00:00+02:00", to_date="2026-03-12T10:00:00Z",
                  interval="1d").json()
    assert [b["timestamp"] for b in body["buckets"]] == [
        "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z"]
    assert [b["inbound"]["total_count"] for b in body["buckets"]] == [1, 1, 0]
    assert [b["outbound"]["total_count"] for b in body["buckets"]] == [0, 0, 1]
    assert body["from_date"] == "2026-03-10T04:00:00Z"


def test_direction_nulls_the_other_side(owner, integration):
    out = series(owner, integration.id, from_date="2026-03-10T00:00:00Z", to_date="2026-03-10T02:00:00Z",
                 interval="1h", direction="outbound").json()
    assert all(b["inbound"] is None and b["outbound"]["total_count"] == 0 for b in out["buckets"])
    both = series(owner, integration.id, from_date="2026-03-10T00:00:00Z", to_date="2026-03-10T02:00:00Z",
                  interval="1h").json()
    assert all(b["inbound"] is not None and b["outbound"] is not None for b in both["buckets"])


def test_to_date_defaults_to_now(owner, integration):
    now = timezone.now()
    inbound(integration, now - timedelta(minutes=1))
    start = now - timedelta(hours=2)
    body = series(owner, integration.id, from_date=start.isoformat(), interval="1h").json()
    first = align(start, timedelta(hours=1))
    assert body["buckets"][0]["timestamp"] == first.isoformat().replace("+00:00", "Z")
    assert len(body["buckets"]) in (3, 4)  # depending on where "now" falls in its hour
    assert sum(b["inbound"]["total_count"] for b in body["buckets"]) == 1


def test_at_most_200_buckets(owner, integration):
    ok = series(owner, integration.id, from_date="2026-03-01T00:00:00Z", to_date="2026-03-09T07:59:59Z",
                interval="1h")
    assert ok.status_code == 200 and len(ok.json()["buckets"]) == 200
    too_many = series(owner, integration.id, from_date="2026-03-01T00:00:00Z", to_date="2026-03-09T08:00:00Z",
                      interval="1h")
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "VALIDATION_ERROR" and "interval" in too_many.json()["message"]
    assert "201" in too_many.json()["message"]
    day_of_5m = series(owner, integration.id, from_date="2026-03-01T00:00:00Z", to_date="2026-03-02T00:00:00Z",
                       interval="5m")
    assert day_of_5m.status_code == 400
    centuries = series(owner, integration.id, from_date="0001-01-01T00:00:00Z", to_date="9999-12-31T23:59:59Z",
                       interval="1d")
    assert centuries.status_code == 400


def test_a_single_instant_is_one_bucket(owner, integration):
    inbound(integration, DAY.replace(hour=5, minute=7))
    body = series(owner, integration.id, from_date="2026-03-10T05:07:00Z", to_date="2026-03-10T05:07:00Z",
                  interval="30m").json()
    assert [(b["timestamp"], b["inbound"]["total_count"]) for b in body["buckets"]] == [("2026-03-10T05:00:00Z", 1)]


def test_rows_of_other_integrations_and_organisations_do_not_count(owner, other_org, integration):
    theirs = IntegrationFactory(organization=other_org.organization)
    inbound(theirs, DAY.replace(hour=1))
    inbound(IntegrationFactory(organization=owner.organization), DAY.replace(hour=1))
    outbound(theirs, DAY.replace(hour=1), integration_id=str(integration.id))
    body = series(owner, integration.id, from_date="2026-03-10T00:00:00Z", to_date="2026-03-10T02:00:00Z",
                  interval="1h").json()
    assert all(b["inbound"]["total_count"] == 0 and b["outbound"]["total_count"] == 0 for b in body["buckets"])


@pytest.mark.parametrize(
    "body, field",
    [
        ({"interval": "1h"}, "from_date"),
        ({"from_date": "2026-03-10T00:00:00Z"}, "interval"),
        ({"from_date": "2026-03-10T00:00:00Z", "interval": "2h"}, "interval"),
        ({"from_date": "2026-03-10T00:00:00Z", "interval": "1h", "direction": "sideways"}, "direction"),
        ({"from_date": "soon", "interval": "1h"}, "from_date"),
        ({"from_date": "2026-03-10T00:00:00Z", "to_date": "2026-03-09T00:00:00Z", "interval": "1h"}, "to_date"),
        ({"from_date": "2999-03-10T00:00:00Z", "interval": "1d"}, "from_date"),
    ],
)
def test_bad_input_is_400_naming_the_field(owner, integration, body, field):
    response = series(owner, integration.id, **body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and field in response.json()["message"]


def test_other_organisations_integration_is_404(owner, other_org):
    theirs = IntegrationFactory(organization=other_org.organization)
    response = series(owner, theirs.id, from_date="2026-03-10T00:00:00Z", interval="1h")
    assert response.status_code == 404
