"""Read API: list with filters and cursor pagination, detail with relations and refs, meter readings,
validation and isolation between organisations."""
import pytest
from drf_spectacular.generators import SchemaGenerator

from entities.models import Entity, MeterReading
from integrations.mapping.results import EntityUpdate, MeterReadingUpdate
from tests.entities.helpers import apply, contact


def rel(schema, ids, tags=None):
    item = {"$entity_unique_ids": ids, "_schema": schema}
    if tags:
        item["_tags"] = tags
    return item


@pytest.fixture
def data(owner):
    org = owner.organization
    apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "first_name": "Ann",
                                                    "last_name": "Lee", "email": [{"email": "ann@x.de"}],
                                                    "age": 42}),
          contact({"customer_number": "C-2"}, {"customer_number": "C-2", "name": "Bob GmbH"}),
          event_id="evt-9", integration_id="int-7")
    apply(org, EntityUpdate(entity_slug="contract", unique_identifiers={"contract_number": "K1"}, attributes={
        "contract_number": "K1",
        "customer": {"$relation": {"_set": [rel("contact", {"customer_number": "C-1"}, ["owner"]),
                                            rel("contact", {"customer_number": "C-2"})]}},
        "billing": {"$relation_ref": {"_set": [{
            "$entity_unique_ids": {"customer_number": "C-1"}, "_schema": "contact", "path": "address",
            "value": {"attribute": "address", "operation": "_append", "value": {"street": "Main 1"}}}]}},
    }))
    return org


def test_list_filters_and_repeatable_match(owner, data):
    response = owner.client.get("/v1/entities/contact", {"customer_number": "C-1"})
    assert response.status_code == 200
    body = response.json()
    assert [e["attributes"]["customer_number"] for e in body["results"]] == ["C-1"]
    item = body["results"][0]
    assert item["title"] == "Ann Lee" and item["schema"] == "contact"
    assert item["sync_status"]["last_event_id"] == "evt-1"  # the relation_ref write changed it last
    bob = owner.client.get("/v1/entities/contact", {"customer_number": "C-2"}).json()["results"][0]
    assert bob["sync_status"]["last_event_id"] == "evt-9"
    assert bob["sync_status"]["last_integration_id"] == "int-7"
    assert body["next_cursor"] is None
    assert len(owner.client.get("/v1/entities/contact", {"email": "ann@x.de"}).json()["results"]) == 1
    assert len(owner.client.get("/v1/entities/contact", {"age": "42"}).json()["results"]) == 1
    assert owner.client.get("/v1/entities/contact", {"email": "nobody@x.de"}).json()["results"] == []
    assert len(owner.client.get("/v1/entities/contact").json()["results"]) == 2


def test_list_hides_deleted_unless_asked(owner, data):
    apply(owner.organization, contact({"customer_number": "C-2"}, mode="delete"))
    assert len(owner.client.get("/v1/entities/contact").json()["results"]) == 1
    body = owner.client.get("/v1/entities/contact", {"include_deleted": "true"}).json()
    assert len(body["results"]) == 2
    assert any(e["deleted_at"] for e in body["results"])


def test_cursor_pagination_newest_first(owner):
    org = owner.organization
    for i in range(5):
        apply(org, contact({"n": str(i)}))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = owner.client.get("/v1/entities/contact", params).json()
        seen += [e["attributes"]["n"] for e in body["results"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == ["4", "3", "2", "1", "0"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"cursor": "garbage"},
                                    {"include_deleted": "maybe"}])
def test_list_rejects_bad_parameters(owner, params):
    response = owner.client.get("/v1/entities/contact", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert next(iter(params)) in body["message"]


def test_detail_resolves_relations_and_refs(owner, data):
    contract = Entity.objects.get(organization=data, schema="contract")
    ann = Entity.objects.get(organization=data, schema="contact", attributes__customer_number="C-1")
    response = owner.client.get(f"/v1/entities/contract/{contract.pk}")
    assert response.status_code == 200
    body = response.json()
    assert [(r["schema"], r["title"], r.get("_tags")) for r in body["relations"]["customer"]] == [
        ("contact", "Ann Lee", ["owner"]), ("contact", "Bob GmbH", None)]
    ref = body["relation_refs"]["billing"][0]
    assert ref["entity_id"] == str(ann.pk) and ref["path"] == "address"
    assert ref["value"]["street"] == "Main 1" and ref["value"]["_id"] == ref["_id"]
    assert body["sync_status"]["last_synced_at"]
    assert body["title"] == "K1"


def test_detail_of_deleted_and_unknown(owner, data):
    ann = Entity.objects.get(organization=data, attributes__customer_number="C-1")
    apply(data, contact({"customer_number": "C-1"}, mode="delete"))
    assert owner.client.get(f"/v1/entities/contact/{ann.pk}").status_code == 404
    assert owner.client.get(f"/v1/entities/contact/{ann.pk}", {"include_deleted": "true"}).status_code == 200
    assert owner.client.get(f"/v1/entities/contract/{ann.pk}").status_code == 404  # wrong schema
    assert owner.client.get("/v1/entities/contact/not-a-uuid").status_code == 404
    # relations to a deleted entity are left out of the resolved view
    contract = Entity.objects.get(organization=data, schema="contract")
    body = owner.client.get(f"/v1/entities/contract/{contract.pk}").json()
    assert [r["title"] for r in body["relations"]["customer"]] == ["Bob GmbH"]


def test_other_organisation_sees_nothing(owner, other_org, data):
    contract = Entity.objects.get(organization=data, schema="contract")
    assert other_org.client.get(f"/v1/entities/contract/{contract.pk}").status_code == 404
    assert other_org.client.get("/v1/entities/contact").json()["results"] == []
    meter = apply(data, contact({"meter_number": "M"}, schema="meter")).entity_outcomes[0].entity_id
    response = other_org.client.get("/v1/meter-readings", {"meter_id": meter})
    assert response.status_code == 404


def test_authentication_required(anonymous, data):
    assert anonymous.get("/v1/entities/contact").status_code == 401
    assert anonymous.get("/v1/meter-readings").status_code == 401


def test_meter_readings_newest_first(owner):
    org = owner.organization
    report = apply(org, contact({"meter_number": "M"}, schema="meter"),
                   contact({"counter_id": "Z"}, schema="meter_counter"))
    meter_id, counter_id = (o.entity_id for o in report.entity_outcomes)
    readings = [
        MeterReadingUpdate(meter={"$entity_unique_ids": {"meter_number": "M"}},
                           meter_counter={"$entity_unique_ids": {"counter_id": "Z"}} if i == 2 else None,
                           attributes={"external_id": f"R{i}", "timestamp": f"2026-01-0{i + 1}T00:00:00Z",
                                       "value": i, "source": "ERP", "unit": "kWh"})
        for i in range(3)
    ]
    apply(org, meter_readings_updates=readings)
    body = owner.client.get("/v1/meter-readings", {"meter_id": meter_id}).json()
    assert [r["external_id"] for r in body["results"]] == ["R2", "R1", "R0"]
    assert body["results"][0]["attributes"] == {"unit": "kWh"} and body["results"][0]["value"] == 2
    page = owner.client.get("/v1/meter-readings", {"meter_id": meter_id, "limit": 1}).json()
    assert len(page["results"]) == 1 and page["next_cursor"]
    rest = owner.client.get("/v1/meter-readings", {"meter_id": meter_id, "cursor": page["next_cursor"]}).json()
    assert [r["external_id"] for r in rest["results"]] == ["R1", "R0"]
    only = owner.client.get("/v1/meter-readings", {"meter_id": meter_id, "counter_id": counter_id}).json()
    assert [r["external_id"] for r in only["results"]] == ["R2"]
    assert MeterReading.objects.count() == 3


@pytest.mark.parametrize("params", [{}, {"meter_id": "nope"}, {"meter_id": "00000000-0000-0000-0000-000000000000",
                                                               "limit": 500}])
def test_meter_readings_bad_parameters(owner, params):
    response = owner.client.get("/v1/meter-readings", params)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_meter_readings_unknown_meter_is_404(owner):
    response = owner.client.get("/v1/meter-readings", {"meter_id": "00000000-0000-0000-0000-000000000000"})
    assert response.status_code == 404


def test_openapi_documents_the_read_api():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert "/v1/entities/{schema}" in paths and "/v1/entities/{schema}/{entity_id}" in paths
    assert "/v1/meter-readings" in paths
