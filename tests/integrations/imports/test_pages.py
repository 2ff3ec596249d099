"""Imports pages: roles, upload, validate, execute, abort, delete; another organisation's import is a 404."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.imports.services import runs
from integrations.models import ErpImport
from tests.factories import MembershipFactory, OrganizationFactory, UseCaseFactory

from .conftest import PRODUCT_CONFIG, csv_bytes

ROWS = ["A-1;Kettle;19.99", "A-2;Toaster;29.50"]


@pytest.fixture
def editor(client, db):
    membership = MembershipFactory(role="editor")
    client.force_login(membership.user)
    client.organization = membership.organization
    return client


@pytest.fixture
def use_case(editor):
    return UseCaseFactory(integration__organization=editor.organization, name="Products", slug="products",
                          configuration=PRODUCT_CONFIG)


def upload(client, content=None, name="prices.csv"):
    return client.post("/imports/upload/", {"file": SimpleUploadedFile(name, content or csv_bytes(ROWS))})


def test_upload_validate_execute_through_the_pages(editor, use_case):
    response = upload(editor)
    job = ErpImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.id}/"
    page = editor.get(f"/imports/{job.id}/")
    assert page.status_code == 200
    assert b"Kettle" in page.content and b"Products" in page.content  # preview and suggestion
    assert page.context["validate_form"].initial["use_case"] == f"{use_case.integration_id}|products"

    editor.post(f"/imports/{job.id}/validate/", {"use_case": f"{use_case.integration_id}|products"})
    job.refresh_from_db()
    assert job.status == "VALIDATING"
    runs.validate(job.pk, job.run_token)
    page = editor.get(f"/imports/{job.id}/")
    assert b"Import 2 rows" in page.content

    editor.post(f"/imports/{job.id}/execute/")
    job.refresh_from_db()
    runs.execute(job.pk, job.run_token)
    status = editor.get(f"/imports/{job.id}/status/").json()
    assert status == {"import_id": job.id, "status": "IMPORTED", "badge": "success", "processed_rows": 2,
                      "total_rows": 2, "percent": 100, "error": None, "working": False}
    listing = editor.get("/imports/")
    assert job.id.encode() in listing.content and b"IMPORTED" in listing.content
    trace_url = f"/integrations/{use_case.integration_id}/traces/{job.id}"
    assert trace_url.encode() in editor.get(f"/imports/{job.id}/").content
    trace = editor.get(trace_url)
    assert trace.status_code == 200 and job.id.encode() in trace.content


def test_upload_json_answers_for_the_drop_zone(editor):
    response = editor.post("/imports/upload/", {"file": SimpleUploadedFile("empty.csv", b"")},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "empty" in response.json()["message"].lower()
    response = editor.post("/imports/upload/", {"file": SimpleUploadedFile("p.csv", csv_bytes(ROWS))},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 201 and response.json()["url"].startswith("/imports/imp_")


def test_execute_refused_when_not_ready_shows_a_message(editor, use_case):
    upload(editor)
    job = ErpImport.objects.get()
    response = editor.post(f"/imports/{job.id}/execute/", follow=True)
    assert b"only a READY import can be executed" in response.content


def test_viewer_reads_but_cannot_act(client, use_case, editor):
    upload(editor)
    job = ErpImport.objects.get()
    viewer = MembershipFactory(role="viewer", organization=editor.organization)
    client.force_login(viewer.user)
    assert client.get(f"/imports/{job.id}/").status_code == 200
    assert client.post(f"/imports/{job.id}/delete/").status_code == 403
    assert client.post("/imports/upload/", {"file": SimpleUploadedFile("x.csv", b"a\n1\n")}).status_code == 403


def test_other_organisation_gets_404(client, editor, use_case):
    upload(editor)
    job = ErpImport.objects.get()
    stranger = MembershipFactory(role="admin", organization=OrganizationFactory())
    client.force_login(stranger.user)
    for url in (f"/imports/{job.id}/", f"/imports/{job.id}/status/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/imports/{job.id}/delete/").status_code == 404
    assert ErpImport.objects.filter(pk=job.pk).exists()


def test_abort_and_delete_from_the_page(editor, use_case):
    upload(editor)
    job = ErpImport.objects.get()
    editor.post(f"/imports/{job.id}/validate/", {"use_case": f"{use_case.integration_id}|products"})
    editor.post(f"/imports/{job.id}/abort/")
    job.refresh_from_db()
    assert job.status == "CANCELLING"
    runs.validate(job.pk, job.run_token)
    job.refresh_from_db()
    assert job.status == "CANCELLED"
    assert editor.post(f"/imports/{job.id}/delete/").status_code == 302
    assert not ErpImport.objects.exists()
