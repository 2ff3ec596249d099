"""v1.33 outbound configuration at runtime: event_filter selects use cases (false and failing filters are
recorded as skipped), ack_tracking off suppresses ACK rows only when every selected use case says off,
getOutboundStatus reports file_proxy delivery targets."""
import pytest

from entities.models import Entity
from integrations.models import CatalogEvent, OutboundDelivery, TrackingRecord
from tests.factories import UseCaseFactory
from tests.spec import assert_matches_contract

from .helpers import make_webhook, mapping, outbound_use_case, publish

pytestmark = pytest.mark.django_db


def _filtered(organization, webhook, event_filter, **config):
    use_case = outbound_use_case(organization, [mapping(webhook.id)])
    use_case.configuration = {**use_case.configuration, "event_filter": event_filter, **config}
    use_case.save()
    return use_case


def test_event_filter_selects_and_records_the_rest(owner, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    matching = _filtered(owner.organization, webhook, "contract.status = 'active' and _event_name = 'contract.created'")
    other = _filtered(owner.organization, webhook, "contract.status = 'cancelled'")
    broken = _filtered(owner.organization, webhook, "$error('boom')")
    with django_capture_on_commit_callbacks(execute=True):
        response = publish(owner, payload={"contract": {"status": "active"}, "contract_number": "C-9"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [d["use_case_id"] for d in body["deliveries"]] == [str(matching.id)]
    skipped = {s["use_case_id"]: s for s in body["skipped"]}
    assert skipped[str(other.id)]["code"] == "EVENT_FILTERED"
    assert skipped[str(broken.id)]["code"] == "EVENT_FILTER_FAILED" and "boom" in skipped[str(broken.id)]["message"]
    assert CatalogEvent.objects.get(event_id=body["event_id"]).skipped == body["skipped"]
    assert len(receiver.requests) == 1


def test_ack_tracking_off_everywhere_sends_no_ack_id(owner, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    for _ in range(2):
        use_case = outbound_use_case(owner.organization, [mapping(webhook.id)])
        use_case.configuration = {**use_case.configuration, "ack_tracking": "off"}
        use_case.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(owner).status_code == 201
    assert TrackingRecord.objects.count() == 0
    assert all("ack" not in r.json() for r in receiver.requests) and len(receiver.requests) == 2
    assert set(OutboundDelivery.objects.values_list("ack_id", flat=True)) == {""}


def test_one_use_case_tracking_keeps_acks_for_the_event(owner, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    off = outbound_use_case(owner.organization, [mapping(webhook.id)])
    off.configuration = {**off.configuration, "ack_tracking": "off"}
    off.save()
    outbound_use_case(owner.organization, [mapping(webhook.id)])  # default: on
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(owner).status_code == 201
    assert TrackingRecord.objects.count() == 2
    assert all(r.json().get("ack") for r in receiver.requests)


def test_outbound_status_reports_file_proxy_targets(owner):
    use_case = outbound_use_case(owner.organization, [])
    integration = use_case.integration
    steps = [{"url": "https://dms.example/up", "method": "POST", "response_type": "json"}]
    upload = UseCaseFactory(integration=integration, type="file_proxy", slug="upload", name="Upload",
                            configuration={"direction": "upload", "steps": steps})
    UseCaseFactory(integration=integration, type="file_proxy", slug="download", name="Download",
                   configuration={"steps": steps, "response": {"body": "steps[0].body", "encoding": "binary"}})
    UseCaseFactory(integration=integration, type="file_proxy", slug="paused", name="Paused", enabled=False,
                   configuration={"direction": "upload", "steps": steps})
    UseCaseFactory(integration=integration, type="inbound", slug="inbound", name="Inbound", configuration=None)
    targets = ["upload", "download", "paused", "inbound", "nowhere"]
    use_case.configuration = {"event_catalog_event": "document.created", "mappings": [
        {"id": f"00000000-0000-4000-8000-00000000000{i}", "name": slug, "enabled": True,
         "delivery": {"type": "file_proxy", "use_case_slug": slug}} for i, slug in enumerate(targets)]}
    use_case.save()
    response = owner.client.get(f"/v1/integrations/{integration.id}/outbound-status")
    assert response.status_code == 200
    assert_matches_contract("getOutboundStatus", response)
    entries = {e["use_case_slug"]: e for e in response.json()["useCases"][0]["file_proxy"]}
    assert entries["upload"]["resolved"] is True and entries["upload"]["target_use_case_id"] == str(upload.id)
    assert entries["upload"]["mapping_id"].endswith("0")
    assert {slug: entries[slug].get("unresolved_reason") for slug in targets[1:]} == {
        "download": "wrong_direction", "paused": "disabled", "inbound": "wrong_type", "nowhere": "not_found"}
    assert "target_use_case_id" not in entries["nowhere"]


def test_file_proxy_mapping_is_recorded_not_faked(owner, django_capture_on_commit_callbacks):
    use_case = outbound_use_case(owner.organization, [])
    use_case.configuration = {"event_catalog_event": "contract.created", "mappings": [
        {"id": "00000000-0000-4000-8000-000000000001", "name": "to DMS", "enabled": True,
         "delivery": {"type": "file_proxy", "use_case_slug": "missing"}}]}
    use_case.save()
    with django_capture_on_commit_callbacks(execute=True):
        body = publish(owner).json()
    assert body["deliveries"] == []
    assert body["skipped"][0]["code"] == "USE_CASE_NOT_FOUND"


def test_event_filter_sees_relations_resolved_from_the_entity_store(owner, receiver,
                                                                   django_capture_on_commit_callbacks):
    ticket = Entity.objects.create(organization=owner.organization, schema="ticket",
                                   attributes={"_purpose": ["complaint"], "title": "Broken meter"})
    webhook, _ = make_webhook(owner.organization, receiver.url)
    complaints = outbound_use_case(owner.organization, [mapping(webhook.id, expression='{"ticket": ticket}')])
    complaints.configuration = {**complaints.configuration,
                                "event_filter": "$count(ticket._purpose[$ = 'complaint']) > 0"}
    complaints.save()
    with django_capture_on_commit_callbacks(execute=True):
        referenced = publish(owner, payload={"ticket": {"$relation": [{"entity_id": str(ticket.pk)}]}}).json()
        dangling = publish(owner, payload={"ticket": {"$relation": [{"entity_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12}]}}).json()
    assert [d["use_case_id"] for d in referenced["deliveries"]] == [str(complaints.id)]
    assert dangling["deliveries"] == [] and dangling["skipped"][0]["code"] == "EVENT_FILTERED"
    # the mapping still sees the payload as published
    assert receiver.requests[0].json() == {"ticket": {"$relation": [{"entity_id": str(ticket.pk)}]}}
