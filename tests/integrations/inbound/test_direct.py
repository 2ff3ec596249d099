"""Direct mode: simulateDirect (every error, with paths and operation indexes; previews) and the runtime path
(a direct use case writes the pre-mapped operations through the usual write stage; the first problem fails
the event with its DIRECT_* code)."""
import json

import pytest

from entities.models import Entity, MeterReading
from integrations.models import ErpEvent, EventStatus, UseCase
from monitoring.models import InboundMonitoringEvent
from tests.factories import IntegrationFactory
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

SIMULATE = "/v1/erp/updates/direct_simulation"
ALLOW_LIST = {"direct": True, "entities": [{"entity_schema": "contract", "unique_ids": ["contract_number"]},
                                           {"entity_schema": "contact", "unique_ids": ["customer_number"]}]}


def simulate(persona, configuration, payload):
    return persona.client.post(SIMULATE, {"event_configuration": configuration, "payload": payload}, format="json")


def test_simulate_previews_entity_relation_and_meter_reading_updates(owner):
    payload = {"version": "1", "operations": [
        {"entity_slug": "contact", "unique_ids": {"customer_number": 12345, "email": "anna@example.com"},
         "attributes": {"first_name": "Anna"}},
        {"entity_slug": "contract", "unique_ids": {"contract_number": "CTR-1"}, "attributes": {
            "display_name": "Premium",
            "customer": {"$relation": {"_set": [{"schema": "contact", "unique_ids": {"customer_number": "12345"},
                                                 "tags": ["primary"]}]}}}},
        {"type": "meter_reading", "meter": {"unique_ids": {"meter_number": "M-1"}},
         "counter": {"unique_ids": {"obis_number": "1-0:1.8.0"}}, "reading_matching": "strict-date",
         "attributes": {"external_id": 7, "timestamp": "2026-08-24", "source": "ERP", "value": "12.5",
                        "direction": "feed-in"}},
    ]}
    response = simulate(owner, {"direct": True}, payload)
    assert response.status_code == 200, response.json()
    assert_matches_contract("simulateDirect", response)
    body = response.json()
    assert body["valid"] is True and body["errors"] == []
    contact, contract = body["entity_updates"]
    assert contact["unique_identifiers"] == {"customer_number": "12345", "email.email": "anna@example.com"}
    assert contact["unique_identifiers_metadata"] == {"email": {"fieldType": "email", "index": 0}}
    assert contact["mode"] == "upsert" and contact["attributes"] == {"first_name": "Anna"}
    assert contract["attributes"]["customer"] == {"$relation": {"_set": [
        {"$entity_unique_ids": {"customer_number": "12345"}, "_schema": "contact", "_tags": ["primary"]}]}}
    [reading] = body["meter_reading_updates"]
    assert reading["meter"] == {"$entity_unique_ids": {"meter_number": "M-1"}}
    assert reading["meter_counter"] == {"$entity_unique_ids": {"obis_number": "1-0:1.8.0"}}
    assert reading["attributes"] == {"external_id": "7", "timestamp": "2026-08-24T00:00:00.000Z", "source": "ERP",
                                     "value": 12.5, "direction": "feed-in"}
    assert reading["mode"] == "upsert" and reading["_config"] == {"reading_matching": "strict-date"}
    assert [w["field"] for w in body["warnings"]] == ["email"]  # the derived type is made visible


def test_simulate_collects_every_error_with_its_path_and_operation(owner):
    payload = json.dumps({"version": "2", "extra": 1, "operations": [
        {"entity_slug": "contract", "unique_ids": {"contract_number": " "}, "attributes": {}, "colour": "red"},
        {"entity_slug": "invoice", "unique_ids": {"number": "I-1"}, "attributes": {}},
        {"entity_slug": "contact", "unique_ids": {"email": "a@b.c"}, "attributes": {
            "x": {"$relation": {"_set": [{"entity_id": "e1", "schema": "contact"}], "_append": []}}}},
        {"type": "meter_reading", "meter": {"unique_ids": {"meter_number": "M-1"}},
         "reading_matching": "strict-date",
         "attributes": {"external_id": "R", "timestamp": "24.08.2026", "source": "SAP", "value": "n/a"}},
        {"entity_slug": "contract", "unique_ids": {"contract_number": "C"}, "mode": "upsert"},
    ]})
    response = simulate(owner, ALLOW_LIST, payload)
    assert response.status_code == 200
    assert_matches_contract("simulateDirect", response)
    body = response.json()
    assert body["valid"] is False and "entity_updates" not in body
    errors = [(e["code"], e["message"].split(":")[0], e.get("operation_index")) for e in body["errors"]]
    assert errors == [
        ("DIRECT_PAYLOAD_INVALID", "payload.extra", None),
        ("DIRECT_VERSION_UNSUPPORTED", "payload.version", None),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[0].colour", 0),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[0].unique_ids.contract_number", 0),
        ("DIRECT_ENTITY_NOT_ALLOWED", "payload.operations[1].entity_slug", 1),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[2].attributes.x.$relation", 2),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[2].attributes.x.$relation._set[0]", 2),
        ("DIRECT_ENTITY_NOT_ALLOWED", "payload.operations[2].unique_ids", 2),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[3].counter", 3),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[3].attributes.timestamp", 3),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[3].attributes.source", 3),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[3].attributes.value", 3),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[4].attributes", 4),
    ]


def test_simulate_limits_and_envelope_errors(owner):
    too_many = {"version": "1", "operations": [
        {"entity_slug": "contact", "unique_ids": {"id": str(n)}, "attributes": {}} for n in range(101)]}
    [error] = simulate(owner, {"direct": True}, too_many).json()["errors"]
    assert error["code"] == "DIRECT_PAYLOAD_INVALID" and "at most 100 operations" in error["message"]
    [error] = simulate(owner, {"direct": True}, "{not json").json()["errors"]
    assert error["code"] == "DIRECT_PAYLOAD_INVALID" and error["message"].startswith("payload:")
    id_only = {"version": "1", "operations": [{"entity_slug": "contract", "unique_ids": {"_id": "x"},
                                               "mode": "delete"}]}
    assert simulate(owner, ALLOW_LIST, id_only).json()["valid"] is True


def test_simulate_rejects_a_mapped_configuration_and_an_invalid_allow_list(owner):
    response = simulate(owner, {"entities": []}, {"version": "1", "operations": []})
    assert response.status_code == 400 and "event_configuration.direct" in response.json()["message"]
    response = simulate(owner, {"direct": True, "entities": [{"unique_ids": "x"}]}, {"version": "1",
                                                                                    "operations": []})
    assert response.status_code == 422 and response.json()["code"] == "INVALID_CONFIGURATION"
    assert simulate(owner, {"direct": True}, 5).status_code == 400


def test_a_direct_use_case_saves_without_fields_but_a_mapped_one_does_not(owner):
    integration = IntegrationFactory(organization=owner.organization)
    url = f"/v1/integrations/{integration.id}/use-cases"
    direct = owner.client.post(url, {"name": "Direct", "slug": "direct", "type": "inbound", "enabled": True,
                                     "configuration": ALLOW_LIST}, format="json")
    assert direct.status_code == 201, direct.json()
    assert direct.json()["configuration"]["direct"] is True
    mapped = owner.client.post(url, {"name": "Mapped", "slug": "mapped", "type": "inbound", "enabled": True,
                                     "configuration": {"entities": [{"entity_schema": "contact",
                                                                     "unique_ids": ["id"]}]}}, format="json")
    assert mapped.status_code == 400 and "fields" in json.dumps(mapped.json())


def run_direct(owner, django_capture_on_commit_callbacks, payload, configuration=ALLOW_LIST, **event):
    integration, use_case = integration_with_use_case(owner.organization, configuration=configuration)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_v3(owner, integration, [v3_event(use_case_slug="customer-changed", event_name=None,
                                                         payload=payload, **event)])
    [result] = response.json()["results"]
    assert result["status"] == "success", result
    return ErpEvent.objects.get(pk=result["event_id"])


def test_runtime_writes_direct_operations_with_relations_and_readings(owner, django_capture_on_commit_callbacks):
    payload = {"version": "1", "operations": [
        {"entity_slug": "contact", "unique_ids": {"customer_number": "C-1"}, "attributes": {"first_name": "Ada"}},
        {"entity_slug": "contract", "unique_ids": {"contract_number": "K-1"}, "attributes": {
            "customer": {"$relation": [{"schema": "contact", "unique_ids": {"customer_number": "C-1"}}]}}},
    ]}
    event = run_direct(owner, django_capture_on_commit_callbacks, payload)
    assert event.status == EventStatus.PROCESSED
    contact = Entity.objects.get(organization=owner.organization, schema="contact")
    contract = Entity.objects.get(organization=owner.organization, schema="contract")
    assert contact.attributes == {"customer_number": "C-1", "first_name": "Ada"}
    assert contract.attributes["customer"]["$relation"][0]["entity_id"] == str(contact.id)
    [row] = InboundMonitoringEvent.objects.filter(event_id=str(event.id))
    assert row.status == "success" and row.sync_type == "entity"
    # a relation by entity_id (no schema) and a meter reading, in open mode (no allow-list)
    readings = {"version": "1", "operations": [
        {"entity_slug": "meter", "unique_ids": {"meter_number": "M-1"}, "attributes": {
            "contract": {"$relation": {"_append": [{"entity_id": str(contract.id)}]}}}},
        {"type": "meter_reading", "meter": {"unique_ids": {"meter_number": "M-1"}},
         "attributes": {"external_id": "R-1", "timestamp": "2026-08-24T06:00:00Z", "source": "ERP", "value": 5}},
    ]}
    integration = event.integration
    UseCase.objects.filter(integration=integration).update(configuration={"direct": True})
    with django_capture_on_commit_callbacks(execute=True):
        [result] = post_v3(owner, integration, [v3_event(use_case_slug="customer-changed", event_name=None,
                                                         payload=readings)]).json()["results"]
    assert ErpEvent.objects.get(pk=result["event_id"]).status == EventStatus.PROCESSED
    meter = Entity.objects.get(organization=owner.organization, schema="meter")
    assert meter.attributes["contract"]["$relation"] == [{"entity_id": str(contract.id), "_schema": "contract"}]
    reading = MeterReading.objects.get(organization=owner.organization)
    assert reading.external_id == "R-1"
    rows = InboundMonitoringEvent.objects.filter(event_id=result["event_id"])
    assert sorted(r.sync_type for r in rows) == ["entity", "meter_reading"]


@pytest.mark.parametrize("payload,event,code", [
    ({"version": "1", "operations": [{"entity_slug": "invoice", "unique_ids": {"n": "1"}, "attributes": {}}]},
     {}, "DIRECT_ENTITY_NOT_ALLOWED"),
    ({"version": "9", "operations": []}, {}, "DIRECT_VERSION_UNSUPPORTED"),
    ({"version": "1", "operations": [{"entity_slug": "contact", "unique_ids": {"customer_number": "1"},
                                      "attributes": {}, "oops": 1}]}, {}, "DIRECT_PAYLOAD_INVALID"),
    ("<direct version='1'/>", {"format": "xml"}, "DIRECT_PAYLOAD_INVALID"),
])
def test_runtime_fails_the_event_with_the_first_direct_code(owner, django_capture_on_commit_callbacks, payload,
                                                           event, code):
    stored = run_direct(owner, django_capture_on_commit_callbacks, payload, **event)
    assert stored.status == EventStatus.FAILED
    [row] = InboundMonitoringEvent.objects.filter(event_id=str(stored.id))
    assert (row.status, row.error_code, row.error_category) == ("error", code, "validation")
    assert row.error_message.startswith("payload")
    assert not Entity.objects.filter(organization=owner.organization).exists()
