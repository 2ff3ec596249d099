"""The eight import operations through the whole state machine, with contract-checked answers."""
import pytest

from entities.models import Entity
from erpintegration import scopes
from erpintegration.tokens import issue_token
from integrations.imports.services import jobs, runs
from integrations.models import ErpImport
from monitoring.models import InboundMonitoringEvent
from tests.spec import assert_matches_contract

from .conftest import create, csv_bytes, run_execution, run_validation, upload

ROWS = ["A-1;  Kettle ;19.99", "A-2;Toaster;29.50", "A-3;Blender;49.00"]


def test_upload_create_validate_execute(owner, product_use_case):
    response = create(owner.client, csv_bytes(ROWS), include_preview=True)
    assert response.status_code == 201, response.json()
    assert_matches_contract("createErpImport", response)
    body = response.json()
    job = body["job"]
    assert job["status"] == "PENDING" and job["import_id"].startswith("imp_") and job["format"] == "csv"
    assert job["column_count"] == 3 and job["correlation_id"] == job["import_id"]
    assert body["preview"] == {"columns": ["Article No", "Product Name", "Price"],
                               "rows": [r.split(";") for r in ROWS]}

    validated = run_validation(owner.client, job["import_id"], product_use_case)
    assert validated["status"] == "READY", validated
    assert validated["validation"]["total_rows"] == 3 and validated["validation"]["entities"] == {"product": 3}
    assert validated["validation"]["entity_details"][0] == {
        "mapping_index": 0, "entity_schema": "product", "business_key": {"code": "A-1"}}
    assert validated["integration_id"] == str(product_use_case.integration_id)

    done = run_execution(owner.client, job["import_id"])
    assert done.status_code == 200
    assert_matches_contract("getErpImport", done)
    assert done.json()["status"] == "IMPORTED"
    assert done.json()["progress"] == {"processed_rows": 3, "total_rows": 3}
    names = sorted(e.attributes["name"] for e in Entity.objects.filter(organization=owner.organization))
    assert names == ["Blender", "Kettle", "Toaster"]
    rows = InboundMonitoringEvent.objects.filter(correlation_id=job["import_id"])
    assert rows.count() == 3 and {r.status for r in rows} == {"success"}


def test_list_newest_first_with_cursor(owner, product_use_case):
    ids = [create(owner.client, csv_bytes(ROWS)).json()["job"]["import_id"] for _ in range(3)]
    first = owner.client.get("/v2/erp/imports?limit=2")
    assert_matches_contract("listErpImports", first)
    assert [j["import_id"] for j in first.json()["results"]] == ids[::-1][:2]
    second = owner.client.get(f"/v2/erp/imports?limit=2&cursor={first.json()['next_cursor']}").json()
    assert [j["import_id"] for j in second["results"]] == [ids[0]] and second["next_cursor"] is None
    assert owner.client.get("/v2/erp/imports?cursor=garbage").status_code == 400


def test_repoint_rules(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(ROWS)).json()["job"]["import_id"]
    run_validation(owner.client, import_id, product_use_case)
    response = create(owner.client, csv_bytes(ROWS[:1]), import_id=import_id)
    assert response.status_code == 200, response.json()
    assert_matches_contract("createErpImport", response)
    assert response.json()["job"]["status"] == "PENDING" and "validation" not in response.json()["job"]
    run_validation(owner.client, import_id, product_use_case)
    run_execution(owner.client, import_id)
    refused = create(owner.client, csv_bytes(ROWS), import_id=import_id)
    assert refused.status_code == 409 and refused.json()["code"] == "IMPORT_NOT_REPLACEABLE"
    assert_matches_contract("createErpImport", refused)
    unknown = create(owner.client, csv_bytes(ROWS), import_id="imp_01NOTHING")
    assert unknown.status_code == 404
    assert ErpImport.objects.filter(organization=owner.organization).count() == 1


def test_validation_stale_after_editing_the_use_case(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(ROWS)).json()["job"]["import_id"]
    run_validation(owner.client, import_id, product_use_case)
    product_use_case.configuration["entities"][0]["fields"].append({"attribute": "x", "constant": 1})
    product_use_case.save()
    response = owner.client.post(f"/v2/erp/imports/{import_id}:execute", format="json")
    assert response.status_code == 409 and response.json()["code"] == "VALIDATION_STALE"
    assert_matches_contract("executeErpImport", response)
    assert ErpImport.objects.get(pk=import_id).status == "READY"


def test_warnings_need_acknowledgement(owner, product_use_case):
    import_id = create(owner.client, csv_bytes([ROWS[0], ";;", ROWS[1]])).json()["job"]["import_id"]
    validated = run_validation(owner.client, import_id, product_use_case)
    assert validated["status"] == "READY" and validated["validation"]["warnings"] == 1
    assert validated["validation"]["issues"] == [{"code": "BLANK_ROWS_SKIPPED", "severity": "warning",
                                                  "subject": "1"}]
    refused = run_execution(owner.client, import_id)
    assert refused.status_code == 422 and refused.json()["code"] == "WARNINGS_NOT_ACKNOWLEDGED"
    assert run_execution(owner.client, import_id, ack_warnings=True).json()["status"] == "IMPORTED"


def test_execute_only_when_ready_and_abort_only_when_working(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(ROWS)).json()["job"]["import_id"]
    response = owner.client.post(f"/v2/erp/imports/{import_id}:execute", format="json")
    assert response.status_code == 409 and response.json()["code"] == "IMPORT_NOT_READY"
    response = owner.client.post(f"/v2/erp/imports/{import_id}:abort", format="json")
    assert response.status_code == 409
    assert_matches_contract("abortErpImport", response)


def test_abort_mid_run_keeps_what_was_written(owner, product_use_case, monkeypatch):
    import_id = create(owner.client, csv_bytes(ROWS + ["A-4;Mixer;9", "A-5;Grill;99"])).json()["job"]["import_id"]
    run_validation(owner.client, import_id, product_use_case)
    write = runs._write_rows
    calls = []

    def write_then_abort(*args):
        write(*args)
        calls.append(1)
        if len(calls) == 1:
            response = owner.client.post(f"/v2/erp/imports/{import_id}:abort", format="json")
            assert response.status_code == 202 and response.json()["status"] == "CANCELLING"
            assert_matches_contract("abortErpImport", response)

    monkeypatch.setattr(runs, "_write_rows", write_then_abort)
    job = run_execution(owner.client, import_id).json()
    assert job["status"] == "CANCELLED" and job["progress"]["processed_rows"] == 2
    assert Entity.objects.filter(organization=owner.organization).count() == 2


def test_delete_while_processing_stops_the_run(owner, product_use_case, monkeypatch, import_storage,
                                               django_capture_on_commit_callbacks):
    import_id = create(owner.client, csv_bytes(ROWS + ["A-4;Mixer;9"])).json()["job"]["import_id"]
    run_validation(owner.client, import_id, product_use_case)
    batches = runs._batches

    def delete_after_first_batch(*args, **kwargs):
        for number, batch in enumerate(batches(*args, **kwargs)):
            yield batch
            if number == 1:  # the first batch committed; the second one is read, not yet written
                with django_capture_on_commit_callbacks(execute=True):
                    assert owner.client.delete(f"/v2/erp/imports/{import_id}").status_code == 204

    monkeypatch.setattr(runs, "_batches", delete_after_first_batch)
    response = run_execution(owner.client, import_id)
    assert response.status_code == 404
    assert Entity.objects.filter(organization=owner.organization).count() == 2
    assert not any(p.is_file() for p in import_storage.rglob("*"))


def test_resumed_execution_skips_completed_batches(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(ROWS + ["A-4;Mixer;9"])).json()["job"]["import_id"]
    run_validation(owner.client, import_id, product_use_case)
    owner.client.post(f"/v2/erp/imports/{import_id}:execute", format="json")
    ErpImport.objects.filter(pk=import_id).update(progress={"processed_rows": 2, "total_rows": 4})
    job = ErpImport.objects.get(pk=import_id)
    runs.execute(job.pk, job.run_token)
    assert InboundMonitoringEvent.objects.filter(correlation_id=import_id).count() == 2
    assert ErpImport.objects.get(pk=import_id).status == "IMPORTED"


def test_suggest_ranks_use_cases_by_matched_columns(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(ROWS)).json()["job"]["import_id"]
    response = owner.client.post(f"/v2/erp/imports/{import_id}:suggest-use-cases", format="json")
    assert response.status_code == 200
    assert_matches_contract("suggestErpImportUseCases", response)
    body = response.json()
    assert body["file_columns"] == 3
    assert body["suggestions"][0]["use_case_slug"] == "products"
    assert body["suggestions"][0]["matched_columns"] == 3 and body["suggestions"][0]["entity_types"] == 1


def test_use_case_not_usable_is_422(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(ROWS)).json()["job"]["import_id"]
    response = owner.client.post(f"/v2/erp/imports/{import_id}:validate",
                                 {"integration_id": str(product_use_case.integration_id), "use_case_slug": "nope"},
                                 format="json")
    assert response.status_code == 422 and response.json()["code"] == "USE_CASE_NOT_USABLE"
    assert "use_case_slug" in response.json()["message"]
    assert_matches_contract("validateErpImport", response)
    assert ErpImport.objects.get(pk=import_id).status == "PENDING"


def test_other_organisation_sees_nothing(owner, other_org, product_use_case):
    ref = upload(owner.client, csv_bytes(ROWS))
    # The upload's answer can be passed on as it is (S3Reference allows the extra size_bytes).
    import_id = owner.client.post("/v2/erp/imports", {"s3_reference": ref}, format="json").json()["job"]["import_id"]
    assert other_org.client.get(f"/v2/erp/imports/{import_id}").status_code == 404
    assert other_org.client.delete(f"/v2/erp/imports/{import_id}").status_code == 404
    stolen = other_org.client.post("/v2/erp/imports", {"s3_reference": {"bucket": ref["bucket"], "key": ref["key"]}},
                                   format="json")
    assert stolen.status_code == 404 and stolen.json()["code"] == "FILE_UNAVAILABLE"
    escape = other_org.client.post("/v2/erp/imports", {"s3_reference": {
        "bucket": ref["bucket"], "key": f"imports/{other_org.organization.id}/../{owner.organization.id}/x.csv"}},
        format="json")
    assert escape.status_code == 404
    assert other_org.client.get("/v2/erp/imports").json()["results"] == []


def test_consume_only_token_is_forbidden(owner):
    from rest_framework.test import APIClient

    issued = issue_token(owner.organization, "erp", scopes=[scopes.CONSUME])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    response = client.get("/v2/erp/imports")
    assert response.status_code == 403
    assert_matches_contract("listErpImports", response)


@pytest.mark.parametrize("body, field", [
    ({}, "s3_reference"), ({"s3_reference": {"bucket": "local"}}, "key"),
    ({"s3_reference": {"bucket": "local", "key": "k"}, "extra": 1}, "extra"),
])
def test_bad_create_bodies_name_the_field(owner, body, field):
    response = owner.client.post("/v2/erp/imports", body, format="json")
    assert response.status_code == 400 and field in response.json()["message"]
    assert not ErpImport.objects.exists()


def test_jobs_service_fail_only_touches_working_jobs(owner, product_use_case):
    import_id = create(owner.client, csv_bytes(ROWS)).json()["job"]["import_id"]
    assert jobs.fail(import_id, "INTERNAL_ERROR") is False
    assert ErpImport.objects.get(pk=import_id).status == "PENDING"
