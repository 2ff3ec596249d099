"""queryOutboundMonitoringEvents (docs/outbound.md, monitoring and resend): filters, default event names,
limits, cursor."""
from datetime import UTC, datetime, timedelta

import pytest

from monitoring import services as monitoring
from monitoring.models import OutboundMonitoringEvent
from tests.factories import IntegrationFactory
from tests.integrations.outbound.helpers import mapping, outbound_use_case
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def row(organization, integration, *, event_id, event_name="contract.created", status="succeeded", webhook="wh-1",
        at=T0):
    created = monitoring.record_outbound_delivery(
        org_id=organization.id, event_id=event_id, event_name=event_name, integration_id=integration.id,
        webhook_config_id=webhook, url="https://erp.example.com/hook", payload={"n": event_id}, status=status,
        metadata={"webhook_id": webhook},
    )
    OutboundMonitoringEvent.objects.filter(pk=created.pk).update(created_at=at)
    return created


def query(persona, integration, **body):
    response = persona.client.post(f"/v1/integrations/{integration.id}/monitoring/outbound-events", body,
                                   format="json")
    assert_matches_contract("queryOutboundMonitoringEvents", response)
    return response


@pytest.fixture
def setup(owner):
    integration = IntegrationFactory(organization=owner.organization)
    outbound_use_case(owner.organization, [mapping("wh-1")], integration=integration, event="contract.created")
    outbound_use_case(owner.organization, [mapping("wh-2")], integration=integration, event="order.created",
                      enabled=False)
    org = owner.organization
    row(org, integration, event_id="E1", at=T0)
    row(org, integration, event_id="E2", event_name="order.created", status="failed", webhook="wh-2",
        at=T0 + timedelta(minutes=1))
    row(org, integration, event_id="E3", status="pending", at=T0 + timedelta(minutes=2))
    row(org, integration, event_id="E4", event_name="unlinked.event", at=T0 + timedelta(minutes=3))
    other = IntegrationFactory(organization=org)
    row(org, other, event_id="E5", at=T0 + timedelta(minutes=4))  # another integration
    return integration


def ids(response):
    assert response.status_code == 200, response.json()
    return [r["event_id"] for r in response.json()["data"]]


def test_default_is_every_event_of_the_integrations_outbound_use_cases(owner, setup):
    response = query(owner, setup)
    assert ids(response) == ["E3", "E2", "E1"]
    body = response.json()
    assert body["has_more"] is False and body["next_cursor"] is None
    first = body["data"][0]
    assert first["org_id"] == owner.organization.id and first["http_method"] == "POST"
    assert first["payload"] == {"n": "E3"} and first["webhook_config_id"] == "wh-1"


@pytest.mark.parametrize("filters, expected", [
    ({"event_name": "order.created"}, ["E2"]),
    ({"event_name": "unlinked.event"}, ["E4"]),
    ({"status": "failed"}, ["E2"]),
    ({"status": "pending"}, ["E3"]),
    ({"webhook_config_id": "wh-1"}, ["E3", "E1"]),
    ({"from_date": "2026-03-01T12:01:00Z"}, ["E3", "E2"]),
    ({"to_date": "2026-03-01T12:01:00Z"}, ["E2", "E1"]),
    ({"from_date": "2026-03-01T12:01:00Z", "to_date": "2026-03-01T12:01:00Z"}, ["E2"]),
])
def test_filters(owner, setup, filters, expected):
    assert ids(query(owner, setup, **filters)) == expected


def test_cursor_pages_through_everything_once(owner):
    integration = IntegrationFactory(organization=owner.organization)
    outbound_use_case(owner.organization, [mapping("wh-1")], integration=integration)
    for n in range(7):  # two rows per instant to exercise the tie-breaker
        row(owner.organization, integration, event_id=f"E{n // 2}", at=T0 + timedelta(seconds=n // 2))
    seen, cursor = [], None
    while True:
        body = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = query(owner, integration, **body)
        data = response.json()
        seen += [r["event_id"] for r in data["data"]]
        assert len(data["data"]) <= 3
        if not data["has_more"]:
            assert data["next_cursor"] is None
            break
        cursor = data["next_cursor"]
        assert set(cursor) >= {"created_at", "event_id"}
    assert seen == ["E3", "E2", "E2", "E1", "E1", "E0", "E0"]


@pytest.mark.parametrize("body", [
    {"limit": 0}, {"limit": 101}, {"status": "success"}, {"from_date": "soon"},
    {"from_date": "2026-03-02T00:00:00Z", "to_date": "2026-03-01T00:00:00Z"}, {"cursor": {"event_id": "E1"}},
])
def test_bad_queries_are_400(owner, setup, body):
    response = query(owner, setup, **body)
    assert response.status_code == 400 and response.json()["code"]


def test_limit_defaults_to_50_and_accepts_100(owner):
    integration = IntegrationFactory(organization=owner.organization)
    outbound_use_case(owner.organization, [mapping("wh-1")], integration=integration)
    for n in range(55):
        row(owner.organization, integration, event_id=f"E{n:03}", at=T0 + timedelta(seconds=n))
    assert len(ids(query(owner, integration))) == 50
    assert len(ids(query(owner, integration, limit=100))) == 55


def test_other_organisation_gets_404(owner, other_org, setup):
    response = query(other_org, setup)
    assert response.status_code == 404
    assert query(owner, IntegrationFactory(organization=owner.organization)).json()["data"] == []


def test_integration_id_is_matched_case_insensitively(owner, setup):
    response = owner.client.post(f"/v1/integrations/{str(setup.id).upper()}/monitoring/outbound-events", {},
                                 format="json")
    assert ids(response) == ["E3", "E2", "E1"]
