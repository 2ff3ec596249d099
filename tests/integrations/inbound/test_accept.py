"""Accepting events: per-event results, storage before the answer, routing, limits, bad input."""
import json
import uuid

import pytest

from integrations.models import ErpEvent, EventStatus
from monitoring.models import InboundMonitoringEvent
from tests.factories import AppMappingFactory, IntegrationFactory, UseCaseFactory
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v2_event, v3_event
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


def test_v3_event_is_stored_and_queued_before_the_answer(owner):
    integration, use_case = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [v3_event(deduplication_id="evt-1")], correlation_id="corr-1")
    assert response.status_code == 200
    assert_matches_contract("processErpUpdatesEventsV3", response)
    [result] = response.json()["results"]
    assert result["status"] == "success" and result["message"] == "Event queued for processing"
    event = ErpEvent.objects.get(pk=result["event_id"])
    assert event.status == EventStatus.QUEUED
    assert event.correlation_id == "corr-1"
    assert event.resolved_use_case_ids == [str(use_case.id)]
    assert json.loads(event.payload) == {"customerId": "C-1", "firstName": "Ada"}
    assert event.event_type is None and event.event_name == "CustomerChanged"
    assert event.organization == owner.organization


def test_object_payload_is_serialized_and_correlation_id_generated(owner):
    integration, _ = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [v3_event(payload={"customerId": "C-2"})])
    event = ErpEvent.objects.get(pk=response.json()["results"][0]["event_id"])
    assert json.loads(event.payload) == {"customerId": "C-2"}
    assert uuid.UUID(event.correlation_id)


def test_v3_accepts_meta_correlation_id(owner):
    integration, _ = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [v3_event()], meta={"correlation_id": "from-meta"})
    assert ErpEvent.objects.get(pk=response.json()["results"][0]["event_id"]).correlation_id == "from-meta"


def test_use_case_slug_routes_before_event_name(owner):
    integration, by_name = integration_with_use_case(owner.organization)
    other = UseCaseFactory(integration=integration, name="Other", slug="other-sync")
    response = post_v3(owner, integration, [v3_event(use_case_slug="other-sync")])
    event = ErpEvent.objects.get(pk=response.json()["results"][0]["event_id"])
    assert event.resolved_use_case_ids == [str(other.id)]
    assert by_name.id != other.id


def test_event_name_matches_all_enabled_use_cases_by_name_then_slug(owner):
    integration, first = integration_with_use_case(owner.organization)
    second = UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed-2")
    UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed-off", enabled=False)
    response = post_v3(owner, integration, [v3_event()])
    event = ErpEvent.objects.get(pk=response.json()["results"][0]["event_id"])
    assert event.resolved_use_case_ids == [str(first.id), str(second.id)]
    slug_only = post_v3(owner, integration, [v3_event(event_name="customer-changed")])
    event = ErpEvent.objects.get(pk=slug_only.json()["results"][0]["event_id"])
    assert event.resolved_use_case_ids == [str(first.id)]


def test_unmatched_or_disabled_events_are_ignored(owner):
    integration, _ = integration_with_use_case(owner.organization, enabled=False)
    response = post_v3(owner, integration, [v3_event(), v3_event(event_name="Unknown")])
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["ignored", "ignored"]
    assert "disabled" in response.json()["results"][0]["message"]
    assert set(ErpEvent.objects.values_list("status", flat=True)) == {EventStatus.IGNORED}


def test_outbound_use_cases_never_match(owner):
    integration = IntegrationFactory(organization=owner.organization)
    UseCaseFactory(integration=integration, name="CustomerChanged", type="outbound")
    response = post_v3(owner, integration, [v3_event()])
    assert response.json()["results"][0]["status"] == "ignored"


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        (v3_event(timestamp="yesterday"), "timestamp"),
        (v3_event(timestamp="2025-13-01T00:00:00Z"), "timestamp"),
        (v3_event(timestamp="2025-02-30T00:00:00Z"), "timestamp"),
        (v3_event(timestamp="2025-05-01T08:30:00+25:00"), "timestamp"),
        (v3_event(timestamp=1714552200), "timestamp"),
        (v3_event(timestamp=None), "timestamp: this field is required"),
        (v3_event(payload="{not json"), "payload"),
        (v3_event(payload="<a><b></a>", format="xml"), "payload"),
        (v3_event(payload={"a": 1}, format="xml"), "cannot have format 'xml'"),
        (v3_event(payload={}), "at least one property"),
        (v3_event(payload="x"), "at least 2 characters"),
        (v3_event(payload=42), "payload"),
        (v3_event(format="csv"), "format"),
        (v3_event(event_name=None), "event_name or use_case_slug"),
        (v3_event(use_case_slug="Not A Slug"), "use_case_slug"),
        (v3_event(use_case_slug="no-such-use-case"), "no inbound use case with slug"),
        (v3_event(deduplication_id="has spaces"), "deduplication_id"),
        ("not an object", "JSON object"),
    ],
)
def test_invalid_events_answer_error_naming_the_problem(owner, event, fragment):
    integration, _ = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [event, v3_event()])
    assert response.status_code == 200
    assert_matches_contract("processErpUpdatesEventsV3", response)
    bad, good = response.json()["results"]
    assert bad["status"] == "error" and fragment in bad["message"] and bad["message"].startswith("events[0]")
    assert good["status"] == "success"
    assert list(ErpEvent.objects.values_list("id", flat=True)) == [uuid.UUID(good["event_id"])]


def test_xml_bomb_is_an_error_not_an_expansion(owner):
    integration, _ = integration_with_use_case(owner.organization)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><root>&lol2;</root>'
    )
    response = post_v3(owner, integration, [v3_event(payload=bomb, format="xml")])
    [result] = response.json()["results"]
    assert result["status"] == "error"
    assert not ErpEvent.objects.exists()


def test_oversized_event_is_an_error(owner, settings):
    settings.INBOUND_MAX_EVENT_BYTES = 100
    integration, _ = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [v3_event(payload={"customerId": "x" * 200})])
    [result] = response.json()["results"]
    assert result["status"] == "error" and "100 bytes" in result["message"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"events": []}, "integration_id"),
        ({"integration_id": "not-a-uuid", "events": []}, "integration_id"),
        ({"integration_id": "INTEGRATION"}, "events"),
        ({"integration_id": "INTEGRATION", "events": {"a": 1}}, "events"),
        ({"integration_id": "INTEGRATION", "correlation_id": 5, "events": []}, "correlation_id"),
        ([], "JSON object"),
    ],
)
def test_invalid_envelope_is_400_and_writes_nothing(owner, body, fragment):
    integration, _ = integration_with_use_case(owner.organization)
    if isinstance(body, dict) and body.get("integration_id") == "INTEGRATION":
        body["integration_id"] = str(integration.id)
    response = owner.client.post("/v3/erp/updates/events", body, format="json")
    assert response.status_code == 400
    assert_matches_contract("processErpUpdatesEventsV3", response)
    assert fragment in response.json()["message"]
    assert not ErpEvent.objects.exists()


def test_too_many_events_is_400(owner, settings):
    settings.INBOUND_MAX_EVENTS_PER_REQUEST = 3
    integration, _ = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [v3_event() for _ in range(4)])
    assert response.status_code == 400 and "at most 3" in response.json()["message"]
    assert not ErpEvent.objects.exists()


def test_malformed_json_body_is_400(owner):
    response = owner.client.post("/v3/erp/updates/events", "{oops", content_type="application/json")
    assert response.status_code == 400


def test_other_organisations_integration_is_404(owner, other_org):
    integration, _ = integration_with_use_case(other_org.organization)
    response = post_v3(owner, integration, [v3_event()])
    assert response.status_code == 404
    assert not ErpEvent.objects.exists()


def test_token_is_required(anonymous, owner):
    integration, _ = integration_with_use_case(owner.organization)
    response = anonymous.post(
        "/v3/erp/updates/events", {"integration_id": str(integration.id), "events": []}, format="json"
    )
    assert response.status_code == 401


def test_v2_routes_by_object_type_and_records_deprecation(owner):
    integration, use_case = integration_with_use_case(owner.organization)
    response = owner.client.post(
        "/v2/erp/updates/events",
        {"integration_id": str(integration.id), "correlation_id": "c-2", "events": [v2_event()]},
        format="json",
    )
    assert response.status_code == 200
    assert_matches_contract("processErpUpdatesEventsV2", response)
    [result] = response.json()["results"]
    event = ErpEvent.objects.get(pk=result["event_id"])
    assert event.event_type == "UPDATE" and event.resolved_use_case_ids == [str(use_case.id)]
    warning = InboundMonitoringEvent.objects.get(sync_type="api_deprecation")
    assert warning.status == "warning" and warning.error_code == "DEPRECATED_ENDPOINT"
    assert warning.correlation_id == "c-2" and warning.integration_id == str(integration.id)


def test_v2_requires_event_type_and_object_type(owner):
    integration, _ = integration_with_use_case(owner.organization)
    body = {"integration_id": str(integration.id), "events": [v2_event(event_type="MERGE"), v2_event(object_type=None)]}
    response = owner.client.post("/v2/erp/updates/events", body, format="json")
    first, second = response.json()["results"]
    assert first["status"] == "error" and "event_type" in first["message"]
    assert second["status"] == "error" and "object_type" in second["message"]


def test_v1_resolves_the_integration_through_the_app_mapping(owner):
    integration, use_case = integration_with_use_case(owner.organization)
    mapping = AppMappingFactory(integration=integration)
    body = {
        "app_id": mapping.app_id,
        "component_id": mapping.component_id,
        "meta": {"correlation_id": "v1-corr"},
        "events": [v2_event()],
    }
    response = owner.client.post("/v1/erp/updates/events", body, format="json")
    assert response.status_code == 200
    assert_matches_contract("processErpUpdatesEvents", response)
    event = ErpEvent.objects.get(pk=response.json()["results"][0]["event_id"])
    assert event.integration == integration and event.correlation_id == "v1-corr"
    assert InboundMonitoringEvent.objects.filter(sync_type="api_deprecation", v1_status="warning").count() == 1


def test_v1_unmapped_app_is_404(owner, other_org):
    mapping = AppMappingFactory(integration=IntegrationFactory(organization=other_org.organization))
    body = {"app_id": mapping.app_id, "component_id": mapping.component_id, "meta": {}, "events": [v2_event()]}
    response = owner.client.post("/v1/erp/updates/events", body, format="json")
    assert response.status_code == 404


def test_v1_requires_meta(owner):
    body = {"app_id": "a", "component_id": str(uuid.uuid4()), "events": []}
    response = owner.client.post("/v1/erp/updates/events", body, format="json")
    assert response.status_code == 400 and "meta" in response.json()["message"]


def test_events_get_increasing_sequence_per_integration(owner):
    integration, _ = integration_with_use_case(owner.organization)
    post_v3(owner, integration, [v3_event(), v3_event()])
    post_v3(owner, integration, [v3_event()])
    sequences = list(ErpEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == sorted(set(sequences)) and len(sequences) == 3


def test_timestamp_without_offset_is_utc(owner):
    integration, _ = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [v3_event(timestamp="2025-05-01T08:30:00")])
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == "success"
    event = ErpEvent.objects.get(pk=result["event_id"])
    assert event.timestamp.isoformat() == "2025-05-01T08:30:00+00:00"
