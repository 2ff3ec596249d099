"""getMonitoringStats: counters, success_rate maths, window (explicit and default), group_by, bad input,
tenancy."""
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import IntegrationFactory
from tests.monitoring.helpers import inbound, outbound
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WINDOW = {"from_date": "2026-03-10T00:00:00Z", "to_date": "2026-03-11T23:59:59Z"}
UC1 = "0b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f"
UC2 = "1b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f"


def stats(persona, integration_id, **body):
    response = persona.client.post(f"/v1/integrations/{integration_id}/monitoring/stats", body, format="json")
    assert_matches_contract("getMonitoringStats", response)
    return response


@pytest.fixture
def integration(owner):
    return IntegrationFactory(organization=owner.organization)


def test_inbound_counters_and_success_rate(owner, integration):
    inbound(integration, T0, correlation_id="c1")
    inbound(integration, T0 + timedelta(minutes=1), correlation_id="c1")
    inbound(integration, T0 + timedelta(minutes=2), correlation_id="c2")
    inbound(integration, T0 + timedelta(minutes=3), status="error", correlation_id="c3")
    inbound(integration, T0 + timedelta(minutes=9), status="error", correlation_id=None)
    inbound(integration, T0 + timedelta(minutes=4), status="skipped", correlation_id="c3")
    inbound(integration, T0 + timedelta(minutes=5), status="skipped", correlation_id="")
    inbound(integration, T0 + timedelta(minutes=6), status="warning", correlation_id="c4")
    response = stats(owner, integration.id, **WINDOW)
    assert response.status_code == 200
    body = response.json()["inbound"]
    assert body == {
        "total_events": 8, "total_correlations": 4, "success_count": 3, "error_count": 2, "skipped_count": 2,
        "warning_count": 1, "success_rate": 50.0, "last_error_at": "2026-03-10T12:09:00Z", "breakdown": [],
    }


def test_outbound_counters_and_success_rate_ignore_pending(owner, integration):
    outbound(integration, T0, status="succeeded")
    outbound(integration, T0, status="succeeded")
    outbound(integration, T0, status="failed", updated_at=T0 + timedelta(minutes=30))
    outbound(integration, T0, status="pending")
    body = stats(owner, integration.id, **WINDOW).json()["outbound"]
    assert body == {
        "total_events": 4, "success_count": 2, "error_count": 1, "pending_count": 1, "success_rate": 66.67,
        "last_error_at": "2026-03-10T12:30:00Z", "breakdown": [],
    }


def test_success_rate_edge_cases(owner, integration):
    empty = stats(owner, integration.id, **WINDOW).json()
    assert empty["inbound"]["success_rate"] == 0 and empty["inbound"]["last_error_at"] is None
    assert empty["outbound"]["success_rate"] == 0 and empty["outbound"]["total_events"] == 0
    inbound(integration, T0, status="skipped")
    outbound(integration, T0, status="pending")
    only_skipped = stats(owner, integration.id, **WINDOW).json()
    assert only_skipped["inbound"]["success_rate"] == 0 and only_skipped["inbound"]["total_events"] == 1
    assert only_skipped["outbound"]["success_rate"] == 0
    inbound(integration, T0, status="success")
    outbound(integration, T0, status="succeeded")
    all_good = stats(owner, integration.id, **WINDOW).json()
    assert all_good["inbound"]["success_rate"] == 100 and all_good["outbound"]["success_rate"] == 100


def test_window_bounds_are_inclusive(owner, integration):
    inbound(integration, datetime(2026, 3, 10, tzinfo=UTC))
    inbound(integration, datetime(2026, 3, 11, 23, 59, 59, tzinfo=UTC))
    inbound(integration, datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC))
    inbound(integration, datetime(2026, 3, 12, tzinfo=UTC))
    outbound(integration, datetime(2026, 3, 10, tzinfo=UTC))
    outbound(integration, datetime(2026, 3, 12, tzinfo=UTC))
    body = stats(owner, integration.id, **WINDOW).json()
    assert body["inbound"]["total_events"] == 2 and body["outbound"]["total_events"] == 1
    only_from = stats(owner, integration.id, from_date="2026-03-11T00:00:00Z").json()
    assert only_from["inbound"]["total_events"] == 2  # to_date defaults to now


def test_default_window_is_the_last_seven_days(owner, integration):
    now = timezone.now()
    inbound(integration, now - timedelta(days=6, hours=23))
    inbound(integration, now - timedelta(days=7, minutes=5))
    outbound(integration, now - timedelta(days=1))
    outbound(integration, now - timedelta(days=8))
    body = stats(owner, integration.id).json()
    assert body["inbound"]["total_events"] == 1 and body["outbound"]["total_events"] == 1
    # only to_date: the 7 days before it
    body = stats(owner, integration.id, to_date=(now - timedelta(days=7)).isoformat()).json()
    assert body["inbound"]["total_events"] == 1 and body["outbound"]["total_events"] == 1


def test_inbound_breakdown_by_use_case_and_status(owner, integration):
    inbound(integration, T0, use_case_id=UC1)
    inbound(integration, T0, use_case_id=UC1)
    inbound(integration, T0, use_case_id=UC1, status="error")
    inbound(integration, T0 + timedelta(hours=1), use_case_id=UC2, status="skipped")
    body = stats(owner, integration.id, inbound_group_by=["use_case_id", "status"], **WINDOW).json()["inbound"]
    assert body["total_events"] == 4
    rows = {(r["use_case_id"], r["status"]): r for r in body["breakdown"]}
    assert set(rows) == {(UC1, "success"), (UC1, "error"), (UC2, "skipped")}
    assert rows[(UC1, "success")]["total_events"] == 2 and rows[(UC1, "success")]["success_rate"] == 100
    assert rows[(UC1, "success")]["last_error_at"] is None
    assert rows[(UC1, "error")]["error_count"] == 1
    assert rows[(UC1, "error")]["last_error_at"] == "2026-03-10T12:00:00Z"
    assert rows[(UC2, "skipped")]["success_rate"] == 0
    assert [(r["use_case_id"], r["status"]) for r in body["breakdown"]] == [
        (UC1, "error"), (UC1, "success"), (UC2, "skipped")]
    assert set(rows[(UC1, "error")]) == {
        "use_case_id", "status", "total_events", "total_correlations", "success_count", "error_count",
        "skipped_count", "warning_count", "success_rate", "last_error_at"}


def test_inbound_breakdown_by_date_is_the_utc_day(owner, integration):
    inbound(integration, datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC))
    inbound(integration, datetime(2026, 3, 11, 0, 0, 0, tzinfo=UTC), status="error")
    inbound(integration, datetime(2026, 3, 11, 22, 0, 0, tzinfo=UTC))
    body = stats(owner, integration.id, inbound_group_by=["date"], **WINDOW).json()["inbound"]
    assert [(r["date"], r["total_events"], r["error_count"]) for r in body["breakdown"]] == [
        ("2026-03-10", 1, 0), ("2026-03-11", 2, 1)]


def test_inbound_breakdown_by_sync_type_object_type_event_name_and_error_category(owner, integration):
    inbound(integration, T0, object_type="MeterRead", sync_type="meter_reading")
    inbound(integration, T0, object_type="CustomerChanged", status="error", error_category="validation")
    inbound(integration, T0, object_type="CustomerChanged")
    body = stats(owner, integration.id, inbound_group_by=["sync_type", "event_name", "object_type",
                                                           "error_category", "sync_type"], **WINDOW).json()
    breakdown = body["inbound"]["breakdown"]
    assert [(r["sync_type"], r["event_name"], r["object_type"], r["error_category"], r["total_events"])
            for r in breakdown] == [
        ("entity", "CustomerChanged", "CustomerChanged", None, 1),
        ("entity", "CustomerChanged", "CustomerChanged", "validation", 1),
        ("meter_reading", "MeterRead", "MeterRead", None, 1),
    ]


def test_outbound_breakdown(owner, integration):
    outbound(integration, T0, event_name="ContractCreated", webhook_config_id="wh-1")
    outbound(integration, T0, event_name="ContractCreated", webhook_config_id="wh-2", status="failed")
    outbound(integration, T0 + timedelta(days=1), event_name="OrderCreated", webhook_config_id="wh-1",
             status="pending")
    body = stats(owner, integration.id, outbound_group_by=["event_name", "webhook_config_id"], **WINDOW).json()
    assert body["inbound"]["breakdown"] == []
    assert [(r["event_name"], r["webhook_config_id"], r["success_count"], r["error_count"], r["pending_count"])
            for r in body["outbound"]["breakdown"]] == [
        ("ContractCreated", "wh-1", 1, 0, 0), ("ContractCreated", "wh-2", 0, 1, 0), ("OrderCreated", "wh-1", 0, 0, 1)]
    by_day = stats(owner, integration.id, outbound_group_by=["date", "status"], **WINDOW).json()["outbound"]
    assert [(r["date"], r["status"], r["total_events"]) for r in by_day["breakdown"]] == [
        ("2026-03-10", "failed", 1), ("2026-03-10", "succeeded", 1), ("2026-03-11", "pending", 1)]


def test_rows_of_other_integrations_and_organisations_do_not_count(owner, other_org, integration):
    sibling = IntegrationFactory(organization=owner.organization)
    theirs = IntegrationFactory(organization=other_org.organization)
    inbound(integration, T0)
    inbound(sibling, T0)
    inbound(theirs, T0)
    outbound(sibling, T0)
    outbound(theirs, T0, integration_id=str(integration.id))  # their org, even with our integration id
    body = stats(owner, integration.id, **WINDOW).json()
    assert body["inbound"]["total_events"] == 1 and body["outbound"]["total_events"] == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"inbound_group_by": ["colour"]}, "inbound_group_by"),
        ({"inbound_group_by": "status"}, "inbound_group_by"),
        ({"outbound_group_by": ["sync_type"]}, "outbound_group_by"),
        ({"from_date": "not a date"}, "from_date"),
        ({"from_date": "2026-03-12T00:00:00Z", "to_date": "2026-03-11T00:00:00Z"}, "to_date"),
        ({"from_date": "2999-01-01T00:00:00Z"}, "from_date"),
        ({"to_date": "0001-01-01T00:00:00+01:00"}, "to_date"),
    ],
)
def test_bad_input_is_400_naming_the_field(owner, integration, body, field):
    response = stats(owner, integration.id, **body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and field in response.json()["message"]


def test_earliest_dates_do_not_overflow(owner, integration):
    response = stats(owner, integration.id, to_date="0001-01-02T00:00:00Z")
    assert response.status_code == 200 and response.json()["inbound"]["total_events"] == 0


def test_other_organisations_integration_is_404(owner, other_org, anonymous):
    theirs = IntegrationFactory(organization=other_org.organization)
    assert stats(owner, theirs.id).status_code == 404
    assert stats(owner, "nope").status_code == 404
    assert anonymous.post(f"/v1/integrations/{theirs.id}/monitoring/stats", {}, format="json").status_code == 401


def test_integration_id_in_any_uuid_spelling(owner, integration):
    inbound(integration, T0)
    response = stats(owner, str(integration.id).upper(), **WINDOW)
    assert response.status_code == 200 and response.json()["inbound"]["total_events"] == 1
