"""triggerErp (docs/outbound.md, triggerErp): synchronous signed webhook call with the entity, ACK, TRIGGER
monitoring row."""
import pytest

from entities.models import Entity, EntityRelation
from integrations.models import TrackingRecord
from monitoring.models import InboundMonitoringEvent
from tests.integrations.outbound.helpers import (
    make_webhook,
    mapping,
    outbound_use_case,
    verify_standard_webhook,
)
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db
FIELDS = ("execution_id", "org_id", "webhook_id", "flow_id", "created_at", "action_id", "flow_action_id",
          "flow_name", "activity_id", "entity_id")


def trigger_body(persona, webhook, entity, **overrides):
    body = {
        "execution_id": "exec-1", "org_id": persona.organization.id, "webhook_id": str(webhook),
        "flow_id": "flow-1", "created_at": "2026-03-01T12:00:00Z", "action_id": "action-1",
        "flow_action_id": "flow-action-1", "flow_name": "Inform ERP", "activity_id": "activity-1",
        "entity_id": str(entity),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def trigger(persona, body):
    response = persona.client.post("/v1/erp/trigger", body, format="json")
    assert_matches_contract("triggerErp", response)
    return response


@pytest.fixture
def contract(owner):
    contract = Entity.objects.create(organization=owner.organization, schema="contract",
                                     attributes={"contract_number": "C-1"})
    contact = Entity.objects.create(organization=owner.organization, schema="contact", attributes={"name": "Ada"})
    EntityRelation.objects.create(organization=owner.organization, source=contract, target=contact,
                                  attribute="customer")
    return contract


def test_success_calls_the_webhook_and_records_a_trigger_row(owner, receiver, contract):
    webhook, secret = make_webhook(owner.organization, receiver.url, name="SAP")
    use_case = outbound_use_case(owner.organization, [mapping(webhook.id)])
    receiver.default = (200, {"accepted": True})

    response = trigger(owner, trigger_body(owner, webhook.id, contract.id))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "succeeded" and body["status_code"] == "200" and body["code"] == "OK"
    assert body["body"] == {"accepted": True} and body["start_date"] <= body["end_date"]
    [received] = receiver.requests
    verify_standard_webhook(secret, received.headers, received.body)
    assert received.headers["webhook-id"] == body["event_id"]
    payload = received.json()
    assert payload["entity"]["_id"] == str(contract.id) and payload["entity"]["contract_number"] == "C-1"
    assert payload["entity"]["_schema"] == "contract"
    assert [r["name"] for r in payload["relations"]] == ["Ada"]
    assert payload["metadata"]["execution_id"] == "exec-1" and payload["metadata"]["webhook_name"] == "SAP"
    assert payload["metadata"]["automation_id"] == "flow-1" and payload["activity"] == {"_id": "activity-1"}
    assert TrackingRecord.objects.filter(ack_id=payload["_ack_id"], event_id=body["event_id"]).exists()

    row = InboundMonitoringEvent.objects.get()
    assert (row.event_type, row.sync_type, row.status) == ("TRIGGER", "webhook", "success")
    assert row.event_id == body["event_id"] and row.correlation_id == "exec-1" and row.object_type == "contract"
    assert row.integration_id == str(use_case.integration_id) and row.use_case_id == str(use_case.id)


def test_webhook_500_is_a_failed_outcome(owner, receiver, contract):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    receiver.default = (500, {"error": "boom"})
    response = trigger(owner, trigger_body(owner, webhook.id, contract.id))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_code"], body["code"]) == ("failed", "500", "HTTP_500")
    assert body["message"] == '{"error": "boom"}' and body["body"] == {"error": "boom"}
    assert len(receiver.requests) == 1  # synchronous, not retried: the automation owns retries
    row = InboundMonitoringEvent.objects.get()
    assert (row.status, row.error_category, row.error_code) == ("error", "downstream_api", "HTTP_500")
    assert row.integration_id is None  # the webhook is not used by any outbound use case
    assert not TrackingRecord.objects.exists()


def test_unreachable_webhook_is_a_failed_outcome(owner, receiver, settings, contract):
    settings.OUTBOUND_HTTP_ALLOWLIST = []
    webhook, _ = make_webhook(owner.organization, receiver.url)
    body = trigger(owner, trigger_body(owner, webhook.id, contract.id)).json()
    assert body["status"] == "failed" and body["status_code"] == "" and "OUTBOUND_HTTP_ALLOWLIST" in body["message"]
    assert InboundMonitoringEvent.objects.get().status == "error"


@pytest.mark.parametrize("missing", FIELDS)
def test_every_field_is_required(owner, receiver, contract, missing):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    response = trigger(owner, trigger_body(owner, webhook.id, contract.id, **{missing: None}))
    assert response.status_code == 400
    assert response.json()["message"] == f"{missing}: this field is required"
    assert receiver.requests == [] and not InboundMonitoringEvent.objects.exists()


@pytest.mark.parametrize("overrides, message", [
    ({"webhook_id": "00000000-0000-0000-0000-000000000000"}, "webhook_id: webhook"),
    ({"webhook_id": "not-a-uuid"}, "webhook_id: webhook not-a-uuid not found"),
    ({"entity_id": "00000000-0000-0000-0000-000000000000"}, "entity_id: entity"),
    ({"created_at": "yesterday"}, "created_at:"),
    ({"created_at": "2026-13-45T00:00:00Z"}, "created_at:"),
    ({"execution_id": "exec\u0000"}, "Malformed request body: execution_id"),
    ({"org_id": "another-org"}, "org_id:"),
    ({"flow_name": 7}, "flow_name: must be a string"),
])
def test_bad_requests(owner, receiver, contract, overrides, message):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    response = trigger(owner, trigger_body(owner, webhook.id, contract.id, **overrides))
    assert response.status_code == 400 and response.json()["message"].startswith(message)
    assert receiver.requests == []


def test_other_organisations_webhook_and_entity_are_unknown(owner, other_org, receiver, contract):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    response = trigger(other_org, trigger_body(other_org, webhook.id, contract.id))
    assert response.status_code == 400 and response.json()["code"] == "WEBHOOK_NOT_FOUND"
    own_webhook, _ = make_webhook(other_org.organization, receiver.url)
    response = trigger(other_org, trigger_body(other_org, own_webhook.id, contract.id))
    assert response.status_code == 400 and response.json()["code"] == "ENTITY_NOT_FOUND"
    assert receiver.requests == []


def test_disabled_webhook_is_rejected(owner, receiver, contract):
    webhook, _ = make_webhook(owner.organization, receiver.url, enabled=False)
    response = trigger(owner, trigger_body(owner, webhook.id, contract.id))
    assert response.status_code == 400 and response.json()["code"] == "WEBHOOK_DISABLED"


def test_anonymous_is_401(anonymous):
    assert anonymous.post("/v1/erp/trigger", {}, format="json").status_code == 401
