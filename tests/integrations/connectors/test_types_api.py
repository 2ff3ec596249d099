"""generateTypesPreview / generateTypes / commitTypes: shapes, change detection against the last commit,
the stateless package, and the version bookkeeping."""
from __future__ import annotations

import pytest

from integrations.models import TypesCommit, UseCase
from tests.connector_fixtures import make_connector

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(owner):
    return make_connector(owner.organization, "https://erp.example.com")


def url(integration, action):
    return f"/v1/integrations/{integration.id}/{action}"


def test_preview_infers_shapes_of_every_managed_call(owner, integration):
    body = owner.client.post(url(integration, "generate-types-preview"), {}, format="json").json()
    assert body["integration_name"] == "Partner ERP" and body["suggested_version"] == "1.0.0"
    assert "previous_version" not in body and body["detected_changes"] == []
    by_slug = {uc["slug"]: uc for uc in body["use_cases"]}
    assert set(by_slug) == {"get-customer", "create-order", "failing"}
    response = by_slug["get-customer"]["response_shape"]["properties"]
    assert response["customer_id"] == {"kind": "string"} and response["total"] == {"kind": "number"}
    assert by_slug["get-customer"]["request_shape"] == {"kind": "unknown", "source": "$"}
    assert by_slug["create-order"]["request_shape"]["properties"]["customer"] == {"kind": "unknown",
                                                                                   "source": "customer_id"}


def test_generate_is_stateless_and_validates(owner, integration):
    body = owner.client.post(url(integration, "generate-types"), {
        "package_name": "@acme/partner-types", "version": "1.0.0",
        "annotations": {"get-customer": {"request": {"customer_id": "string"}}}}, format="json").json()
    assert set(body["files"]) == {"package.json", "index.d.ts"}
    assert "customer_id?: string;" in body["files"]["index.d.ts"]
    assert not TypesCommit.objects.exists()
    bad = owner.client.post(url(integration, "generate-types"), {"package_name": "Bad Name", "version": "1"},
                            format="json")
    assert bad.status_code == 400 and "package_name" in bad.json()["message"]
    bad = owner.client.post(url(integration, "generate-types"), {"package_name": "ok", "version": "one"},
                            format="json")
    assert bad.status_code == 400 and "version" in bad.json()["message"]


def test_commit_locks_records_versions_and_drives_the_next_preview(owner, integration):
    first = owner.client.post(url(integration, "commit-types"), {
        "package_name": "@acme/partner-types", "version": "1.0.0",
        "annotations": {"create-order": {"response": {"order_id": "string"}}}}, format="json")
    assert first.json() == {"committed": True, "warnings": []}
    integration.refresh_from_db()
    assert integration.connector_config["latest_types_version"] == "1.0.0"
    assert integration.connector_config["types_versions"][0]["status"] == "active"
    assert all(uc.types_locked for uc in UseCase.objects.filter(integration=integration, type="managed_call"))
    assert UseCase.objects.get(slug="create-order").type_annotations == {"response": {"order_id": "string"}}

    # unchanged: minor; then a field is removed from a response mapping: major
    preview = owner.client.post(url(integration, "generate-types-preview"), {}, format="json").json()
    assert preview["previous_version"] == "1.0.0" and preview["suggested_bump"] == "minor"
    use_case = UseCase.objects.get(integration=integration, slug="get-customer")
    use_case.configuration = {**use_case.configuration, "response_mapping": '{"customer_id": data.id, "vip": true}'}
    use_case.save()
    preview = owner.client.post(url(integration, "generate-types-preview"), {}, format="json").json()
    assert preview["suggested_bump"] == "major" and preview["suggested_version"] == "2.0.0"
    fields = {(c["field"], c["type"]) for c in preview["detected_changes"]}
    assert ("response.name", "breaking") in fields and ("response.vip", "non-breaking") in fields
    assert ("response.customer_id", "breaking") in fields  # string -> unknown

    same = owner.client.post(url(integration, "commit-types"), {"package_name": "@acme/partner-types",
                                                                "version": "1.0.0"}, format="json")
    assert same.status_code == 400 and "not greater" in same.json()["message"]
    owner.client.post(url(integration, "commit-types"), {"package_name": "@acme/partner-types", "version": "2.0.0"},
                      format="json")
    integration.refresh_from_db()
    assert [v["status"] for v in integration.connector_config["types_versions"]] == ["deprecated", "active"]


def test_other_organisation_gets_404(other_org, integration):
    for action in ("generate-types-preview", "generate-types", "commit-types"):
        assert other_org.client.post(url(integration, action), {"package_name": "a", "version": "1.0.0"},
                                     format="json").status_code == 404
