"""Conditional pricing: rows grouped into variant-versions, sorted numerically, with the conditional issues."""
import copy

import pytest

from entities.models import Entity, EntitySchema
from integrations.models import ErpImport
from tests.factories import UseCaseFactory

from .conftest import create, run_execution, run_validation

HEADER = "Article No;Zone;Customer;From kWh;Price ct;Name"
PRICE_LIST = [
    "P-1;North;private;0;31,25;Basic",
    "P-1;North;private;10000;27,00;Basic",
    "P-1;North;private;5000;29,10;Basic",
    "P-1;South;private;0;32,00;Basic",
    "P-2;North;business;0;25,00;Pro",
]
CONFIG = {"entities": [{
    "entity_schema": "price", "unique_ids": ["code"],
    "fields": [{"attribute": "code", "field": "Article No"}, {"attribute": "zone", "field": "Zone"},
               {"attribute": "customer_type", "field": "Customer"}, {"attribute": "name", "field": "Name"}],
    "conditional": {"from_rows": [{
        "attribute": "tiers", "sort_by": {"field": "From kWh"},
        "item": {"from": {"jsonataExpression": "$number(`From kWh`)"},
                 "unit_amount": {"jsonataExpression": "$number($replace(`Price ct`, ',', '.'))"}},
    }]},
}]}


def price_csv(rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def registry(owner):
    return EntitySchema.objects.create(organization=owner.organization, slug="price",
                                       conditions=["zone", "customer_type"])


@pytest.fixture
def price_use_case(owner):
    return UseCaseFactory(integration__organization=owner.organization, name="Prices", slug="prices",
                          configuration=copy.deepcopy(CONFIG))


def imported(owner, content, use_case, **ack):
    import_id = create(owner.client, content).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, use_case)
    if job["status"] != "READY":
        return job
    return run_execution(owner.client, import_id, **ack).json()


def test_rows_become_variants_with_sorted_tiers(owner, registry, price_use_case):
    job = imported(owner, price_csv(PRICE_LIST), price_use_case)
    assert job["status"] == "IMPORTED", job
    p1 = Entity.objects.get(organization=owner.organization, schema="price", attributes__code="P-1")
    assert p1.attributes == {"code": "P-1", "name": "Basic", "variants": [
        {"conditions": {"zone": "North", "customer_type": "private"},
         "tiers": [{"from": 0, "unit_amount": 31.25}, {"from": 5000, "unit_amount": 29.1},
                   {"from": 10000, "unit_amount": 27}]},
        {"conditions": {"zone": "South", "customer_type": "private"},
         "tiers": [{"from": 0, "unit_amount": 32}]},
    ]}
    assert len(Entity.objects.get(attributes__code="P-2").attributes["variants"]) == 1


def test_validation_counts_variants_per_entity(owner, registry, price_use_case):
    import_id = create(owner.client, price_csv(PRICE_LIST)).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, price_use_case)
    assert job["validation"]["entities"] == {"price": 2}
    details = {d["business_key"]["code"]: d for d in job["validation"]["entity_details"]}
    assert (details["P-1"]["variants"], details["P-1"]["versions"]) == (2, 2)


def test_reimport_replaces_the_variants(owner, registry, price_use_case):
    imported(owner, price_csv(PRICE_LIST), price_use_case)
    imported(owner, price_csv(["P-1;North;private;0;30,00;Basic"]), price_use_case)
    p1 = Entity.objects.get(attributes__code="P-1")
    assert p1.attributes["variants"] == [{"conditions": {"zone": "North", "customer_type": "private"},
                                          "tiers": [{"from": 0, "unit_amount": 30}]}]


def test_a_variant_spanning_batches_is_written_whole_and_resumes_cleanly(owner, registry, price_use_case):
    import_id = create(owner.client, price_csv(PRICE_LIST)).json()["job"]["import_id"]
    run_validation(owner.client, import_id, price_use_case)
    owner.client.post(f"/v2/erp/imports/{import_id}:execute", format="json")
    # A previous run died after the first committed checkpoint: the 3-row North variant was still open at
    # row 2, so the watermark stood at 0; here it stood after the North variant (3 rows).
    ErpImport.objects.filter(pk=import_id).update(progress={"processed_rows": 3, "total_rows": 5})
    from integrations.imports.services import runs

    job = ErpImport.objects.get(pk=import_id)
    runs.execute(job.pk, job.run_token)
    p1 = Entity.objects.get(attributes__code="P-1")
    # the North variant was replayed (not written again), South was appended to nothing: P-1 has it alone
    assert [v["conditions"]["zone"] for v in p1.attributes["variants"]] == ["South"]
    assert ErpImport.objects.get(pk=import_id).status == "IMPORTED"


@pytest.mark.parametrize("rows, code", [
    (PRICE_LIST[:1] + PRICE_LIST[3:4] + PRICE_LIST[1:2], "TIER_ROWS_NOT_GROUPED"),
    (PRICE_LIST[:2] + ["P-1;North;private;0;1,00;Basic"], "TIER_BANDS_CONFLICT"),
    (["P-1;;private;0;1,00;Basic", "P-1;;private;10;1,00;Basic"], "CONDITION_VALUE_MISSING"),
])
def test_blocking_grouping_issues(owner, registry, price_use_case, rows, code):
    job = imported(owner, price_csv(rows), price_use_case)
    assert job["status"] == "FAILED" and job["error"]["code"] == "VALIDATION_BLOCKED"
    assert code in {i["code"] for i in job["validation"]["issues"]}
    assert not Entity.objects.exists()


def test_warnings_for_conflicting_values(owner, registry, price_use_case):
    registry.attributes = ["code", "zone", "customer_type", "tiers"]
    registry.save()
    rows = ["P-1;North;private;0;1,00;Basic", "P-1;North;private;10;1,00;Basic Plus", "P-1;South;private;0;2,00;Other"]
    import_id = create(owner.client, price_csv(rows)).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, price_use_case)
    codes = {i["code"]: i for i in job["validation"]["issues"]}
    assert job["status"] == "READY"
    assert codes["VARIANT_VALUE_CONFLICT"] == {"code": "VARIANT_VALUE_CONFLICT", "severity": "warning",
                                               "subject": "name"}
    assert codes["ATTRIBUTE_NOT_OVERRIDABLE"]["subject"] == "name"
    assert codes["ATTRIBUTE_NOT_IN_SCHEMA"]["subject"] == "name"


def test_overridable_attributes_go_into_the_variant(owner, registry, price_use_case):
    registry.overridable = ["name"]
    registry.save()
    imported(owner, price_csv(PRICE_LIST[:1] + ["P-1;South;private;0;2,00;Other"]), price_use_case)
    p1 = Entity.objects.get(attributes__code="P-1")
    assert "name" not in p1.attributes
    assert [v["name"] for v in p1.attributes["variants"]] == ["Basic", "Other"]


@pytest.mark.parametrize("change, code", [
    (lambda c, r: r.delete(), "SCHEMA_NOT_FOUND"),
    (lambda c, r: (setattr(r, "conditions", []), r.save()), "SCHEMA_DECLARES_NO_CONDITIONS"),
    (lambda c, r: c["entities"][0].__setitem__("mode", "delete"), "CONDITIONAL_TARGET_MODE_UNSUPPORTED"),
    (lambda c, r: c["entities"][0]["fields"].__setitem__(1, {"attribute": "zone", "constant": "N"}),
     "GROUPING_KEY_NOT_A_COLUMN"),
    (lambda c, r: c["entities"][0]["fields"].__setitem__(1, {"attribute": "zone", "field": "From kWh"}),
     "GROUPING_KEY_IS_SORT_COLUMN"),
])
def test_mapping_refused_before_reading_the_file(owner, registry, price_use_case, change, code):
    configuration = copy.deepcopy(CONFIG)
    change(configuration, registry)
    price_use_case.configuration = configuration
    price_use_case.save()
    import_id = create(owner.client, price_csv(PRICE_LIST)).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, price_use_case)
    assert job["status"] == "FAILED"
    assert [i["code"] for i in job["validation"]["issues"]] == [code]
    assert "total_rows" not in job["validation"]  # the verdict was reached without reading the file


def test_non_numeric_sort_value_is_a_row_error(owner, registry, price_use_case):
    configuration = copy.deepcopy(CONFIG)
    configuration["entities"][0]["conditional"]["from_rows"][0]["item"]["from"] = {"field": "From kWh"}
    price_use_case.configuration = configuration
    price_use_case.save()
    import_id = create(owner.client, price_csv(["P-1;North;private;lots;1,00;Basic"])).json()["job"]["import_id"]
    job = run_validation(owner.client, import_id, price_use_case)
    assert job["status"] == "FAILED" and job["validation"]["blocking"] == 1
    assert ErpImport.objects.get(pk=import_id).validation["row_errors"] == [{
        "row": 1, "code": "SORT_VALUE_NOT_A_NUMBER",
        "message": "sort_by of 'tiers' must be a number, got 'lots'"}]
