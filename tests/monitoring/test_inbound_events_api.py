"""queryInboundMonitoringEvents: filters, cursor {completed_at, event_id}, limit bounds, tenancy."""
from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.models import InboundMonitoringEvent
from monitoring.services import record_api_deprecation, record_inbound_event
from tests.factories import IntegrationFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

BASE = timezone.now().replace(microsecond=0) - timedelta(days=1)


def row(integration, n, **overrides):
    values = {
        "org_id": integration.organization_id,
        "event_id": f"evt-{n:03d}",
        "integration_id": str(integration.id),
        "use_case_id": "0b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f",
        "correlation_id": f"corr-{n % 2}",
        "object_type": "CustomerChanged" if n % 2 else "MeterRead",
        "sync_type": "entity",
        "status": "success",
        "received_at": BASE + timedelta(minutes=n),
        "completed_at": BASE + timedelta(minutes=n, seconds=1),
        "processing_duration_ms": 12,
    }
    values.update(overrides)
    return record_inbound_event(**values)


def query(persona, integration, **body):
    return persona.client.post(f"/v1/integrations/{integration.id}/monitoring/inbound-events", body, format="json")


def test_newest_first_and_cursor_pages_through_everything(owner):
    integration = IntegrationFactory(organization=owner.organization)
    for n in range(7):
        row(integration, n)
    # two rows of one event (two use cases) with the same completion time: the tie-breaker keeps both
    row(integration, 3, use_case_id="1b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f")
    response = query(owner, integration, limit=3)
    assert response.status_code == 200
    assert_matches_contract("queryInboundMonitoringEvents", response)
    body = response.json()
    assert [r["event_id"] for r in body["data"]] == ["evt-006", "evt-005", "evt-004"] and body["has_more"]
    seen = [r["event_id"] for r in body["data"]]
    cursor = body["next_cursor"]
    assert set(cursor) >= {"completed_at", "event_id"}
    while cursor:
        page = query(owner, integration, limit=3, cursor=cursor).json()
        seen += [r["event_id"] for r in page["data"]]
        cursor = page["next_cursor"]
    assert seen == ["evt-006", "evt-005", "evt-004", "evt-003", "evt-003", "evt-002", "evt-001", "evt-000"]


def test_every_filter(owner):
    integration = IntegrationFactory(organization=owner.organization)
    for n in range(4):
        row(integration, n)
    row(integration, 10, status="error", error_code="JSONATA_ERROR", error_message="bad", error_category="configuration")
    row(integration, 11, event_type="CREATE", sync_type="meter_reading")
    record_api_deprecation(org_id=owner.organization.id, event_id="evt-dep", integration_id=str(integration.id),
                           correlation_id="c", endpoint="POST /v2/erp/updates/events", received_at=BASE)

    def ids(**body):
        response = query(owner, integration, **body)
        assert response.status_code == 200, response.json()
        assert_matches_contract("queryInboundMonitoringEvents", response)
        return sorted(r["event_id"] for r in response.json()["data"])

    assert ids(status="error") == ["evt-010"]
    assert ids(error_category="configuration") == ["evt-010"]
    assert ids(sync_type="meter_reading") == ["evt-011"]
    assert ids(sync_type="api_deprecation") == ["evt-dep"]
    assert ids(event_type="CREATE") == ["evt-011"]
    assert ids(correlation_id="corr-0") == ["evt-000", "evt-002", "evt-010"]
    assert ids(object_type="MeterRead") == ids(event_name="MeterRead") == ["evt-000", "evt-002", "evt-010"]
    assert ids(event_id="evt-001") == ["evt-001"]
    assert ids(use_case_id="0b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f") == [
        "evt-000", "evt-001", "evt-002", "evt-003", "evt-010", "evt-011"
    ]
    start = (BASE + timedelta(minutes=1, seconds=1)).isoformat()
    end = (BASE + timedelta(minutes=3, seconds=1)).isoformat()
    assert ids(from_date=start, to_date=end) == ["evt-001", "evt-002", "evt-003"]  # inclusive
    warning = query(owner, integration, sync_type="api_deprecation").json()["data"][0]
    assert warning["status"] == "warning" and warning["error_code"] == "DEPRECATED_ENDPOINT"


@pytest.mark.parametrize(
    "body",
    [
        {"limit": 0},
        {"limit": 101},
        {"status": "done"},
        {"sync_type": "other"},
        {"error_category": "oops"},
        {"event_type": "MERGE"},
        {"use_case_id": "not-uuid"},
        {"from_date": "yesterday"},
        {"from_date": "2025-02-01T00:00:00Z", "to_date": "2025-01-01T00:00:00Z"},
        {"cursor": {"event_id": "x"}},
    ],
)
def test_bad_filters_are_400(owner, body):
    integration = IntegrationFactory(organization=owner.organization)
    response = query(owner, integration, **body)
    assert response.status_code == 400
    assert_matches_contract("queryInboundMonitoringEvents", response)


def test_other_orgs_integration_is_404_and_rows_never_leak(owner, other_org):
    theirs = IntegrationFactory(organization=other_org.organization)
    row(theirs, 1)
    assert query(owner, theirs).status_code == 404
    mine = IntegrationFactory(organization=owner.organization)
    assert query(owner, mine).json()["data"] == []
    assert InboundMonitoringEvent.objects.count() == 1


def test_requires_token(anonymous, owner):
    integration = IntegrationFactory(organization=owner.organization)
    response = anonymous.post(f"/v1/integrations/{integration.id}/monitoring/inbound-events", {}, format="json")
    assert response.status_code == 401
