"""Imports tests: files in a temporary storage, phases run explicitly (not on commit) for determinism."""
import pytest

from integrations.imports.services import runs
from integrations.models import ErpImport
from tests.factories import UseCaseFactory

PRODUCT_CONFIG = {"entities": [{
    "entity_schema": "product", "unique_ids": ["code"],
    "fields": [{"attribute": "code", "field": "Article No"},
               {"attribute": "name", "jsonataExpression": "$trim(`Product Name`)"},
               {"attribute": "price", "field": "Price"}],
}]}


@pytest.fixture(autouse=True)
def import_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "imports")}}}
    settings.IMPORTS_RUN_IN_THREAD = False
    settings.IMPORTS_BATCH_SIZE = 2
    return tmp_path / "imports"


@pytest.fixture
def product_use_case(owner):
    return UseCaseFactory(integration__organization=owner.organization, name="Products", slug="products",
                          configuration=PRODUCT_CONFIG)


def csv_bytes(rows, header="Article No;Product Name;Price", encoding="utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def upload(client, content: bytes, name="prices.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/v2/erp/imports/uploads", {"file": SimpleUploadedFile(name, content)},
                           format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def create(client, content: bytes, name="prices.csv", **extra):
    ref = upload(client, content, name)
    return client.post("/v2/erp/imports", {"s3_reference": {"bucket": ref["bucket"], "key": ref["key"]}, **extra},
                       format="json")


def run_validation(client, import_id, use_case):
    response = client.post(f"/v2/erp/imports/{import_id}:validate",
                           {"integration_id": str(use_case.integration_id), "use_case_slug": use_case.slug},
                           format="json")
    assert response.status_code == 202, response.json()
    job = ErpImport.objects.get(pk=import_id)
    runs.validate(job.pk, job.run_token)
    return client.get(f"/v2/erp/imports/{import_id}").json()


def run_execution(client, import_id, **body):
    response = client.post(f"/v2/erp/imports/{import_id}:execute", body or None, format="json")
    if response.status_code != 202:
        return response
    job = ErpImport.objects.get(pk=import_id)
    runs.execute(job.pk, job.run_token)
    return client.get(f"/v2/erp/imports/{import_id}")
