"""queryEvents, replayEvents, acknowledgeTracking."""
import uuid

import pytest

from entities.models import Entity
from integrations.inbound.services.tracking import create_tracking_record
from integrations.models import ErpEvent, EventStatus, TrackingRecord
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v2_event, v3_event
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


def query(persona, integration, **body):
    return persona.client.post(f"/v1/integrations/{integration.id}/events", body, format="json")


def test_query_events_newest_first_with_cursor(owner):
    integration, use_case = integration_with_use_case(owner.organization)
    ids = [post_v3(owner, integration, [v3_event()]).json()["results"][0]["event_id"] for _ in range(5)]
    first = query(owner, integration, limit=2)
    assert first.status_code == 200
    assert_matches_contract("queryEvents", first)
    body = first.json()
    assert body["has_more"] is True and [e["event_id"] for e in body["data"]] == ids[::-1][:2]
    item = body["data"][0]
    assert item["use_case_id"] == str(use_case.id) and item["correlation_id"] and item["event_time"]
    assert item["event_name"] == "CustomerChanged" and item["status"] == "queued"
    seen = [e["event_id"] for e in body["data"]]
    cursor = body["next_cursor"]
    while cursor:
        page = query(owner, integration, limit=2, cursor=cursor).json()
        seen += [e["event_id"] for e in page["data"]]
        cursor = page["next_cursor"]
    assert seen == ids[::-1]


def test_query_events_filters(owner):
    integration, _ = integration_with_use_case(owner.organization)
    post_v3(owner, integration, [v3_event()], correlation_id="wanted")
    post_v3(owner, integration, [v3_event(event_name="Other")], correlation_id="other")
    owner.client.post(
        "/v2/erp/updates/events",
        {"integration_id": str(integration.id), "events": [v2_event(event_type="DELETE")]},
        format="json",
    )
    assert [e["correlation_id"] for e in query(owner, integration, correlation_id="wanted").json()["data"]] == [
        "wanted"
    ]
    assert len(query(owner, integration, event_name="Other").json()["data"]) == 1
    assert len(query(owner, integration, object_type="CustomerChanged").json()["data"]) == 2
    deletes = query(owner, integration, event_type="DELETE").json()["data"]
    assert [e["event_type"] for e in deletes] == ["DELETE"]
    some_id = deletes[0]["event_id"]
    assert [e["event_id"] for e in query(owner, integration, event_id=some_id).json()["data"]] == [some_id]
    assert query(owner, integration, event_id="nope").json()["data"] == []


@pytest.mark.parametrize("body", [{"limit": 0}, {"limit": 26}, {"event_type": "MERGE"}, {"cursor": "x"}])
def test_query_events_rejects_bad_filters(owner, body):
    integration, _ = integration_with_use_case(owner.organization)
    response = query(owner, integration, **body)
    assert response.status_code == 400
    assert_matches_contract("queryEvents", response)


def test_query_events_of_other_org_is_404(owner, other_org):
    integration, _ = integration_with_use_case(other_org.organization)
    post_v3(other_org, integration, [v3_event()])
    assert query(owner, integration).status_code == 404
    assert owner.client.post("/v1/integrations/not-a-uuid/events", {}, format="json").status_code == 404


def test_replay_reprocesses_with_a_new_correlation_id(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization)
    with django_capture_on_commit_callbacks(execute=True):
        original_id = post_v3(owner, integration, [v3_event(deduplication_id="once")], correlation_id="orig").json()[
            "results"
        ][0]["event_id"]
    Entity.objects.all().delete()
    unknown = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client.post(
            f"/v1/integrations/{integration.id}/events/replay", {"event_ids": [original_id, unknown]}, format="json"
        )
    assert response.status_code == 200
    assert_matches_contract("replayEvents", response)
    body = response.json()
    assert body["event_ids"] == [original_id, unknown] and body["replayed"] == 1
    replayed, missing = body["results"]
    assert replayed["status"] == "queued" and missing == {
        "event_id": unknown, "status": "not_found", "message": "Event not found"
    }
    replay = ErpEvent.objects.get(pk=replayed["replay_event_id"])
    assert replay.replay_of_id == uuid.UUID(original_id) and replay.correlation_id != "orig"
    assert replay.status == EventStatus.PROCESSED
    assert Entity.objects.filter(organization=owner.organization, schema="contact").count() == 1
    row = InboundMonitoringEvent.objects.get(event_id=str(replay.id))
    assert row.correlation_id == replay.correlation_id and row.status == "success"


@pytest.mark.parametrize("body", [{}, {"event_ids": []}, {"event_ids": ["x"] * 101}, {"event_ids": "x"}])
def test_replay_validates_ids(owner, body):
    integration, _ = integration_with_use_case(owner.organization)
    response = owner.client.post(f"/v1/integrations/{integration.id}/events/replay", body, format="json")
    assert response.status_code == 400
    assert_matches_contract("replayEvents", response)


def test_replay_of_another_orgs_integration_is_404(owner, other_org):
    integration, _ = integration_with_use_case(other_org.organization)
    response = owner.client.post(
        f"/v1/integrations/{integration.id}/events/replay", {"event_ids": [str(uuid.uuid4())]}, format="json"
    )
    assert response.status_code == 404


def test_replay_cannot_reach_events_of_another_integration(owner):
    mine, _ = integration_with_use_case(owner.organization)
    theirs, _ = integration_with_use_case(owner.organization)
    event_id = post_v3(owner, theirs, [v3_event()]).json()["results"][0]["event_id"]
    response = owner.client.post(f"/v1/integrations/{mine.id}/events/replay", {"event_ids": [event_id]}, format="json")
    assert response.json()["results"][0]["status"] == "not_found"


def test_acknowledge_is_public_and_deletes_the_row(owner, anonymous):
    record = create_tracking_record(owner.organization, event_name="contract.created")
    assert len(record.ack_id) >= 40
    response = anonymous.post("/v1/erp/tracking/acknowledgement", {"ack_id": record.ack_id}, format="json")
    assert response.status_code == 200
    assert_matches_contract("acknowledgeTracking", response)
    assert not TrackingRecord.objects.exists()
    again = anonymous.post("/v1/erp/tracking/acknowledgement", {"ack_id": record.ack_id}, format="json")
    assert again.status_code == 404 and again.json()["code"] == "NOT_FOUND"


def test_acknowledge_with_a_token_header_works_too(owner):
    record = create_tracking_record(owner.organization)
    response = owner.client.post("/v1/erp/tracking/acknowledgement", {"ack_id": record.ack_id}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("body", [{}, {"ack_id": 5}, []])
def test_acknowledge_without_ack_id_is_400(anonymous, body):
    response = anonymous.post("/v1/erp/tracking/acknowledgement", body, format="json")
    assert response.status_code == 400 and "ack_id" in response.json()["message"]


def test_slug_routed_v3_event_shows_and_filters_by_its_slug_as_object_type(owner, django_capture_on_commit_callbacks):
    """Monitoring rows name a slug-only v3 event by its slug; queryEvents must show and find it the same way
    (it rendered ``object_type: ""`` and the slug filter found nothing)."""
    integration, _ = integration_with_use_case(owner.organization)
    with django_capture_on_commit_callbacks(execute=True):
        post_v3(owner, integration, [v3_event(event_name=None, use_case_slug="customer-changed")])
    post_v3(owner, integration, [v3_event(event_name="Other")])
    response = query(owner, integration, event_name="customer-changed")
    assert_matches_contract("queryEvents", response)
    [item] = response.json()["data"]
    assert item["object_type"] == "customer-changed" and item["use_case_slug"] == "customer-changed"
    assert [e["event_id"] for e in query(owner, integration, object_type="customer-changed").json()["data"]] == [
        item["event_id"]]
    row = InboundMonitoringEvent.objects.get(event_id=item["event_id"])
    assert row.object_type == item["object_type"]
