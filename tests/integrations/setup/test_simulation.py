"""simulateMappingV2 and simulateMapping over HTTP: contract shape, 422 naming the place, 400, 401."""
import json

import pytest

from tests.spec import assert_matches_contract

V2 = "/v2/erp/updates/mapping_simulation"
V1 = "/v1/erp/updates/mapping_simulation"

CONTACT = {
    "entities": [{
        "entity_schema": "contact",
        "unique_ids": ["customer_number"],
        "fields": [
            {"attribute": "customer_number", "field": "customerId"},
            {"attribute": "first_name", "field": "firstName"},
            {"attribute": "email", "field": "email", "_type": "email"},
            {"attribute": "source", "constant": "ERP"},
        ],
    }],
}
PAYLOAD = {"customerId": "0012345", "firstName": "Anna", "email": "anna@example.com"}


@pytest.mark.django_db
def test_v2_maps_string_payload_and_matches_contract(owner):
    response = owner.client.post(V2, {"event_configuration": CONTACT, "format": "json",
                                      "payload": json.dumps(PAYLOAD)}, format="json")
    assert response.status_code == 200, response.json()
    assert_matches_contract("simulateMappingV2", response)
    body = response.json()
    assert body["entity_updates"] == [{
        "entity_slug": "contact",
        "unique_identifiers": {"customer_number": "0012345"},
        "attributes": {"customer_number": "0012345", "first_name": "Anna",
                       "email": [{"email": "anna@example.com"}], "source": "ERP"},
        "mode": "upsert",
    }]
    assert body["meter_readings_updates"] == [] and body["warnings"] == []


@pytest.mark.django_db
def test_v2_accepts_object_payload_and_xml(owner):
    as_object = owner.client.post(V2, {"event_configuration": CONTACT, "format": "json", "payload": PAYLOAD},
                                  format="json")
    xml = ("<customer><customerId>0012345</customerId><firstName>Anna</firstName>"
           "<email>anna@example.com</email></customer>")
    config = {"entities": [{**CONTACT["entities"][0], "jsonataExpression": "customer"}]}
    as_xml = owner.client.post(V2, {"event_configuration": config, "format": "xml", "payload": xml}, format="json")
    assert as_object.status_code == 200 and as_xml.status_code == 200, as_xml.json()
    assert as_object.json()["entity_updates"] == as_xml.json()["entity_updates"]


@pytest.mark.django_db
def test_v2_expression_error_is_422_naming_the_place(owner):
    config = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"], "fields": [
        {"attribute": "id", "field": "id"},
        {"attribute": "total", "jsonataExpression": "amount + 'x'"},
    ]}]}
    response = owner.client.post(V2, {"event_configuration": config, "format": "json",
                                      "payload": {"id": "1", "amount": 2}}, format="json")
    assert response.status_code == 422
    assert_matches_contract("simulateMappingV2", response)
    body = response.json()
    assert body["code"] == "JSONATA_ERROR"
    assert body["details"]["path"] == "event_configuration.entities[0].fields[1].jsonataExpression"
    assert body["message"].startswith("event_configuration.entities[0].fields[1].jsonataExpression: ")
    assert body["details"]["jsonata"]["code"] == "T2002"


@pytest.mark.django_db
def test_v2_invalid_configuration_is_422_with_every_issue(owner):
    config = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"], "mode": "merge", "fields": [
        {"attribute": "id", "field": "id"},
        {"attribute": "total", "jsonataExpression": "amount +"},
    ]}]}
    response = owner.client.post(V2, {"event_configuration": config, "format": "json", "payload": {"id": "1"}},
                                 format="json")
    assert response.status_code == 422
    assert_matches_contract("simulateMappingV2", response)
    body = response.json()
    assert body["code"] == "INVALID_CONFIGURATION"
    paths = [issue["path"] for issue in body["details"]["issues"]]
    assert "event_configuration.entities[0].mode" in paths
    assert "event_configuration.entities[0].fields[1].jsonataExpression" in paths
    assert body["details"]["path"] == paths[0]


@pytest.mark.django_db
def test_v1_invalid_configuration_is_422(owner):
    mapping = {"version": "1.0", "mapping": {"objects": {"bp": {"unique_ids": {"contact": ["nope"]}, "fields": [
        {"entity": "contact", "attribute": "a", "field": "x", "jsonataExpression": "x"}]}}}}
    response = owner.client.post(V1, {"mapping_configuration": mapping, "object_type": "bp", "format": "json",
                                      "payload": {"x": 1}}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "INVALID_CONFIGURATION"
    assert all(issue["path"].startswith("mapping_configuration.") for issue in response.json()["details"]["issues"])


@pytest.mark.django_db
def test_v2_missing_unique_identifier_is_422(owner):
    response = owner.client.post(V2, {"event_configuration": CONTACT, "format": "json",
                                      "payload": {"firstName": "Anna"}}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "MISSING_UNIQUE_IDENTIFIERS"
    assert "customer_number" in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("payload,fmt", [("{not json", "json"), ("<a><b></a>", "xml"), ({"a": 1}, "xml")])
def test_v2_bad_payload_is_422(owner, payload, fmt):
    response = owner.client.post(V2, {"event_configuration": CONTACT, "format": fmt, "payload": payload},
                                 format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "INVALID_PAYLOAD"


@pytest.mark.django_db
def test_v2_xml_bomb_is_422_not_expanded(owner):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>')
    response = owner.client.post(V2, {"event_configuration": CONTACT, "format": "xml", "payload": bomb},
                                 format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "INVALID_PAYLOAD"


@pytest.mark.django_db
@pytest.mark.parametrize("body,field", [
    ({"format": "json", "payload": "{}"}, "event_configuration"),
    ({"event_configuration": [], "format": "json", "payload": "{}"}, "event_configuration"),
    ({"event_configuration": CONTACT, "format": "yaml", "payload": "{}"}, "format"),
    ({"event_configuration": CONTACT, "format": "json"}, "payload"),
    ({"event_configuration": CONTACT, "format": "json", "payload": 5}, "payload"),
])
def test_v2_malformed_request_is_400(owner, body, field):
    response = owner.client.post(V2, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["message"]


@pytest.mark.django_db
def test_v2_non_object_body_is_400(owner):
    response = owner.client.post(V2, [1, 2], format="json")
    assert response.status_code == 400


def test_simulation_requires_token(anonymous, db):
    for url in (V2, V1):
        response = anonymous.post(url, {}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "UNAUTHORIZED"


@pytest.mark.django_db
def test_v1_objects_format(owner):
    mapping = {"version": "1.0", "mapping": {"objects": {"business_partner": {
        "unique_ids": {"contact": {"partner_id": "_id"}},
        "fields": [{"entity": "contact", "attribute": "first_name", "field": "firstName"},
                   {"entity": "contact", "attribute": "last_name", "jsonataExpression": "$uppercase(lastName)"}],
    }}}}
    response = owner.client.post(V1, {"mapping_configuration": mapping, "object_type": "business_partner",
                                      "format": "json",
                                      "payload": '{"partner_id":"BP1","firstName":"John","lastName":"Doe"}'},
                                 format="json")
    assert response.status_code == 200, response.json()
    assert_matches_contract("simulateMapping", response)
    assert response.json()["entity_updates"] == [{
        "entity_slug": "contact", "unique_identifiers": {"_id": "BP1"},
        "attributes": {"first_name": "John", "last_name": "DOE"}, "mode": "upsert",
    }]


@pytest.mark.django_db
def test_v1_legacy_v2_wrapper_and_unknown_object_type(owner):
    mapping = {"version": "2.0", "mapping": {"events": {"CustomerChanged": CONTACT}}}
    ok = owner.client.post(V1, {"mapping_configuration": mapping, "object_type": "CustomerChanged",
                                "format": "json", "payload": PAYLOAD}, format="json")
    assert ok.status_code == 200, ok.json()
    assert ok.json()["entity_updates"][0]["unique_identifiers"] == {"customer_number": "0012345"}
    unknown = owner.client.post(V1, {"mapping_configuration": mapping, "object_type": "Nope",
                                     "format": "json", "payload": PAYLOAD}, format="json")
    assert unknown.status_code == 422
    assert_matches_contract("simulateMapping", unknown)
    assert unknown.json()["code"] == "UNKNOWN_OBJECT_TYPE"


@pytest.mark.django_db
def test_v1_malformed_request_is_400(owner):
    response = owner.client.post(V1, {"mapping_configuration": {}, "format": "json", "payload": "{}"},
                                 format="json")
    assert response.status_code == 400
    assert "object_type" in response.json()["message"]


@pytest.mark.django_db
def test_simulation_persists_nothing(owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = owner.client.post(V2, {"event_configuration": CONTACT, "format": "json", "payload": PAYLOAD},
                                     format="json")
    assert response.status_code == 200
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    bookkeeping = ("ACCESSTOKEN", "MONITORING_ACCESSLOG")  # token last use, the API access log
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].split()[0].upper() in ("INSERT", "DELETE", "UPDATE")
              and not any(table in q["sql"].upper() for table in bookkeeping)]
    assert not writes, writes
    assert statements  # the token lookup ran


@pytest.mark.django_db
def test_v2_previews_prune_scopes_of_entities_and_meter_readings(owner):
    configuration = {
        "entities": [{
            "entity_schema": "contract", "unique_ids": ["contract_number"], "jsonataExpression": "contracts",
            "mode": "upsert-prune-scope-delete",
            "scope": {"scope_mode": "relations", "schema": "billing_account",
                      "unique_ids": [{"attribute": "external_id", "field": "$$.accountId"}]},
            "fields": [{"attribute": "contract_number", "field": "no"}],
        }],
        "meter_readings": [{
            "jsonataExpression": "readings", "mode": "upsert-prune-scope",
            "meter": {"unique_ids": [{"attribute": "meter_number", "field": "$$.meter"}]},
            "scope": {"source": "ERP"},
            "fields": [{"attribute": "external_id", "field": "id"},
                       {"attribute": "timestamp", "field": "at"},
                       {"attribute": "source", "constant": "ERP"},
                       {"attribute": "value", "field": "value"}],
        }],
    }
    payload = {"accountId": "BA-1", "contracts": [{"no": "K-1"}, {"no": "K-2"}], "meter": "M-1",
               "readings": [{"id": "R-1", "at": "2025-01-15", "value": 1}]}
    response = owner.client.post(V2, {"event_configuration": configuration, "format": "json", "payload": payload},
                                 format="json")
    assert response.status_code == 200, response.json()
    assert_matches_contract("simulateMappingV2", response)
    body = response.json()
    assert [u["mode"] for u in body["entity_updates"]] == ["upsert", "upsert"]
    assert body["prune_scope_updates"] == [{
        "entity_slug": "contract",
        "scope": {"scope_mode": "relations", "schema": "billing_account", "unique_ids": {"external_id": "BA-1"}},
        "keep_unique_ids": [{"contract_number": "K-1"}, {"contract_number": "K-2"}],
        "deletion_mode": "delete",
    }]
    assert body["meter_readings_updates"][0]["mode"] == "upsert"
    assert body["meter_readings_prune_scope_updates"] == [{
        "meter": {"$entity_unique_ids": {"meter_number": "M-1"}}, "keep_external_ids": ["R-1"], "source": "ERP"}]


@pytest.mark.django_db
def test_v2_prune_scope_by_query_without_items_keeps_nothing(owner):
    configuration = {"entities": [{
        "entity_schema": "contract", "unique_ids": ["contract_number"], "jsonataExpression": "contracts",
        "mode": "upsert-prune-scope-purge",
        "scope": {"scope_mode": "query", "query": [{"attribute": "account", "field": "$$.accountId"}]},
        "fields": [{"attribute": "contract_number", "field": "no"}],
    }]}
    response = owner.client.post(V2, {"event_configuration": configuration, "format": "json",
                                      "payload": {"accountId": "BA-1", "contracts": []}}, format="json")
    assert response.status_code == 200, response.json()
    assert_matches_contract("simulateMappingV2", response)
    assert response.json()["prune_scope_updates"] == [{
        "entity_slug": "contract", "scope": {"scope_mode": "query", "query": {"account": "BA-1"}},
        "keep_unique_ids": [], "deletion_mode": "purge"}]
