"""v1.33 event fields: per-event correlation_id (v1/v2/v3), group_id lanes (v3), use_case_id on queryEvents
items and as a filter, INTEGRATION_NOT_FOUND on v2/v3."""
import uuid

import pytest

from integrations.models import ErpEvent, EventStatus
from monitoring.models import InboundMonitoringEvent
from tests.factories import AppMappingFactory
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v2_event, v3_event
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


def query(persona, integration, **body):
    return persona.client.post(f"/v1/integrations/{integration.id}/events", body, format="json")


def test_v3_correlation_id_resolves_per_event(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    events = [v3_event(correlation_id="bp-1", payload={"customerId": "C-1"}),
              v3_event(payload={"customerId": "C-2"})]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_v3(owner, integration, events, correlation_id="request-1")
    assert response.status_code == 200
    assert_matches_contract("processErpUpdatesEventsV3", response)
    first, second = (r["event_id"] for r in response.json()["results"])
    assert ErpEvent.objects.get(pk=first).correlation_id == "bp-1"
    assert ErpEvent.objects.get(pk=second).correlation_id == "request-1"
    # every monitoring row the event produced carries its own correlation id
    assert set(InboundMonitoringEvent.objects.filter(event_id=first).values_list("correlation_id", flat=True)) == {
        "bp-1"}
    assert set(InboundMonitoringEvent.objects.filter(event_id=second).values_list("correlation_id", flat=True)) == {
        "request-1"}
    items = query(owner, integration, correlation_id="bp-1").json()["data"]
    assert [item["event_id"] for item in items] == [first]


def test_v3_meta_correlation_id_is_the_fallback_then_a_generated_one(owner):
    integration, _ = integration_with_use_case(owner.organization)
    body = post_v3(owner, integration, [v3_event(), v3_event(correlation_id="own")],
                   meta={"correlation_id": "from-meta"}).json()
    ids = [r["event_id"] for r in body["results"]]
    assert [ErpEvent.objects.get(pk=i).correlation_id for i in ids] == ["from-meta", "own"]
    generated = ErpEvent.objects.get(pk=post_v3(owner, integration, [v3_event()]).json()["results"][0]["event_id"])
    assert len(generated.correlation_id) >= 1


def test_v2_and_v1_event_correlation_id_overrides_the_request(owner):
    integration, _ = integration_with_use_case(owner.organization)
    response = owner.client.post("/v2/erp/updates/events", {
        "integration_id": str(integration.id), "correlation_id": "req",
        "events": [v2_event(correlation_id="evt"), v2_event()]}, format="json")
    assert response.status_code == 200
    ids = [r["event_id"] for r in response.json()["results"]]
    assert [ErpEvent.objects.get(pk=i).correlation_id for i in ids] == ["evt", "req"]
    AppMappingFactory(organization=owner.organization, integration=integration, app_id="app", component_id="c1")
    response = owner.client.post("/v1/erp/updates/events", {
        "app_id": "app", "component_id": "c1", "meta": {"correlation_id": "meta-id"},
        "events": [v2_event(correlation_id="v1-evt"), v2_event()]}, format="json")
    assert response.status_code == 200, response.json()
    ids = [r["event_id"] for r in response.json()["results"]]
    assert [ErpEvent.objects.get(pk=i).correlation_id for i in ids] == ["v1-evt", "meta-id"]


@pytest.mark.parametrize("event", [{"correlation_id": ""}, {"correlation_id": 5}, {"correlation_id": "x" * 256},
                                   {"group_id": ""}, {"group_id": "g" * 129}, {"group_id": ["a"]}])
def test_bad_event_correlation_or_group_id_is_an_error_result_naming_the_field(owner, event):
    integration, _ = integration_with_use_case(owner.organization)
    [result] = post_v3(owner, integration, [v3_event(**event)]).json()["results"]
    field = next(iter(event))
    assert result["status"] == "error" and f"events[0]: {field}:" in result["message"]


def test_bad_request_group_id_is_400(owner):
    integration, _ = integration_with_use_case(owner.organization)
    response = post_v3(owner, integration, [v3_event()], group_id="g" * 129)
    assert response.status_code == 400 and "group_id" in response.json()["message"]


def test_group_id_resolves_per_event_and_replay_keeps_the_lane(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    with django_capture_on_commit_callbacks(execute=True):
        body = post_v3(owner, integration, [v3_event(group_id="customer-1"), v3_event()], group_id="batch").json()
    ids = [r["event_id"] for r in body["results"]]
    assert [ErpEvent.objects.get(pk=i).group_id for i in ids] == ["customer-1", "batch"]
    assert {e.status for e in ErpEvent.objects.filter(pk__in=ids)} == {EventStatus.PROCESSED}
    assert query(owner, integration, event_id=ids[0]).json()["data"][0]["group_id"] == "customer-1"
    with django_capture_on_commit_callbacks(execute=True):
        replay = owner.client.post(f"/v1/integrations/{integration.id}/events/replay", {"event_ids": [ids[0]]},
                                   format="json").json()
    replayed = ErpEvent.objects.get(pk=replay["results"][0]["replay_event_id"])
    assert replayed.group_id == "customer-1" and replayed.status == EventStatus.PROCESSED


def test_v2_events_have_no_group(owner):
    integration, _ = integration_with_use_case(owner.organization)
    response = owner.client.post("/v2/erp/updates/events", {
        "integration_id": str(integration.id), "group_id": "ignored", "events": [v2_event(group_id="x")]},
        format="json")
    assert ErpEvent.objects.get(pk=response.json()["results"][0]["event_id"]).group_id == ""


def test_query_events_items_carry_and_filter_by_use_case_id(owner):
    integration, use_case = integration_with_use_case(owner.organization)
    _, other_use_case = integration_with_use_case(owner.organization, name="Other", slug="other")
    routed = post_v3(owner, integration, [v3_event()]).json()["results"][0]["event_id"]
    ignored = post_v3(owner, integration, [v3_event(event_name="Nothing")]).json()["results"][0]["event_id"]
    response = query(owner, integration)
    assert_matches_contract("queryEvents", response)
    by_id = {item["event_id"]: item for item in response.json()["data"]}
    assert by_id[routed]["use_case_id"] == str(use_case.id) and by_id[ignored]["use_case_id"] is None
    filtered = query(owner, integration, use_case_id=str(use_case.id)).json()["data"]
    assert [item["event_id"] for item in filtered] == [routed]
    assert query(owner, integration, use_case_id=str(other_use_case.id)).json()["data"] == []
    assert query(owner, integration, use_case_id="not-a-uuid").json()["data"] == []
    assert query(owner, integration, use_case_id="").status_code == 400


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_unknown_or_other_orgs_integration_is_404_integration_not_found(owner, other_org, version):
    foreign, _ = integration_with_use_case(other_org.organization)
    event = v3_event() if version == "v3" else v2_event()
    for integration_id in (str(uuid.uuid4()), str(foreign.id)):
        response = owner.client.post(f"/{version}/erp/updates/events",
                                     {"integration_id": integration_id, "events": [event]}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "INTEGRATION_NOT_FOUND"
        assert integration_id in response.json()["message"]
    assert not ErpEvent.objects.filter(integration=foreign).exists()
