"""Export and import of use cases between installations: round trip, ids remapped, webhooks matched by
name, secrets never exported; the management commands and the UI download/upload."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from erpintegration.exceptions import ValidationFailed
from fileproxy.environment import load_environment, set_environment_value
from integrations.models import Integration, SamplePayload, UseCase
from integrations.outbound.services.webhooks import create_webhook
from integrations.setup.services.sample_payloads import save_sample
from integrations.setup.services.use_cases import create_use_case
from integrations.transfer.services import transfer
from tests.factories import IntegrationFactory, OrganizationFactory
from tests.integrations.outbound.helpers import mapping

pytestmark = pytest.mark.django_db

INBOUND = {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"],
                         "fields": [{"attribute": "customer_number", "field": "customerId"}]}]}
FILE_PROXY = {
    "auth": {"type": "oauth2_client_credentials", "token_url": "https://erp.example/token", "client_id": "hub",
             "client_secret": "LITERAL-SECRET-123"},
    "steps": [{"url": "{{env.api_base_url}}/documents/{{params.documentId}}", "method": "GET",
               "response_type": "binary"}],
    "response": {"body": "steps[0].body", "encoding": "binary", "filename": "'document.pdf'"},
}


@pytest.fixture
def staging():
    org = OrganizationFactory(name="Staging")
    hook = create_webhook(org, {"name": "SAP PI", "url": "https://pi.example/hook",
                                "headers": {"Authorization": "Bearer HEADER-SECRET"}}).webhook
    integration = IntegrationFactory(organization=org, name="SAP IS-U", description="from SAP", environment_config=[
        {"key": "api_base_url", "label": "API", "type": "String", "required": True, "order": 0},
        {"key": "token", "label": "Token", "type": "SecretString", "required": False, "order": 1}])
    # Through the service, as the API and the UI create them (configurations validated and normalised).
    inbound = create_use_case(org, integration, {"name": "CustomerChanged", "slug": "customer-changed",
                                                 "type": "inbound", "configuration": INBOUND})
    outbound = create_use_case(org, integration, {"name": "Contracts", "slug": "contracts", "type": "outbound",
                                                  "configuration": {"event_catalog_event": "contract.created",
                                                                    "mappings": [mapping(hook.pk, name="to PI")]}})
    # A row from before secrets had to be environment references (the API refuses literals now): the
    # export must still never carry the literal.
    UseCase.objects.create(organization=org, integration=integration, name="Documents", slug="documents",
                           type="file_proxy", enabled=True, configuration=FILE_PROXY)
    save_sample(org, inbound, name="Ada", format="json", payload='{"customerId": "C-1"}')
    set_environment_value(integration, "api_base_url", "https://erp.staging")  # values must not travel
    set_environment_value(integration, "token", "ENV-SECRET-456")
    return org, integration, inbound, outbound, hook


def comparable(document: dict) -> dict:
    """An export without what differs between installations by design (time, ids, webhook refs)."""
    document = json.loads(json.dumps(document))
    document.pop("exported_at")
    document.pop("notes")  # the first export replaced a literal secret; the second finds none
    for use_case in document["use_cases"]:
        for item in (use_case.get("configuration") or {}).get("mappings") or []:
            for key in ("id", "created_at", "updated_at"):
                item.pop(key, None)
            item["delivery"].pop("webhook_id")
    document["webhooks"] = [webhook["name"] for webhook in document["webhooks"]]  # each installation's own
    return document


def test_round_trip_remaps_ids_and_never_exports_secrets(staging):
    org, integration, inbound, outbound, hook = staging
    document = transfer.export_integration(org, integration)
    text = json.dumps(document)
    for secret in ("LITERAL-SECRET-123", "HEADER-SECRET", "ENV-SECRET-456", "https://erp.staging"):
        assert secret not in text
    assert str(inbound.pk) not in text and str(integration.pk) not in text
    assert document["use_cases"][2]["configuration"]["auth"]["client_secret"] == "{{env.documents.client_secret}}"
    assert document["notes"] and "documents.client_secret" in document["notes"][0]

    production = OrganizationFactory(name="Production")
    prod_hook = create_webhook(production, {"name": "SAP PI", "url": "https://pi.prod/hook"}).webhook
    report = transfer.import_document(production, json.loads(text), actor="ops")
    assert report.created == ["CustomerChanged", "Contracts", "Documents"] and not report.updated
    imported = report.integration
    assert imported.pk != integration.pk and imported.name == "SAP IS-U"
    use_cases = {uc.slug: uc for uc in UseCase.objects.filter(integration=imported)}
    assert use_cases["customer-changed"].pk != inbound.pk
    assert use_cases["customer-changed"].configuration == inbound.configuration
    [new_mapping] = use_cases["contracts"].configuration["mappings"]
    assert new_mapping["delivery"]["webhook_id"] == str(prod_hook.pk)
    assert new_mapping["id"] != outbound.configuration["mappings"][0]["id"]
    assert SamplePayload.objects.get(use_case=use_cases["customer-changed"]).payload == '{"customerId": "C-1"}'
    keys = {row["key"]: row["type"] for row in imported.environment_config}
    assert keys == {"api_base_url": "String", "token": "SecretString", "documents.client_secret": "SecretString"}
    assert not load_environment(imported).values  # values never travel

    again = comparable(transfer.export_integration(production, imported))
    first = comparable(document)
    assert again["use_cases"] == first["use_cases"]
    assert again == first


def test_import_into_an_existing_integration_versions_same_slugs(staging):
    org, integration, inbound, _, _ = staging
    document = transfer.export_integration(org, integration)
    document["use_cases"][0]["configuration"]["entities"][0]["entity_schema"] = "customer"
    report = transfer.import_document(org, document, into=integration, actor="ops")
    assert report.updated == ["CustomerChanged", "Contracts", "Documents"] and not report.created
    inbound.refresh_from_db()
    assert inbound.configuration["entities"][0]["entity_schema"] == "customer"
    assert inbound.history.count() == 1  # the previous version is kept
    assert Integration.objects.filter(organization=org).count() == 1


def test_missing_webhooks_are_reported(staging):
    org, integration, *_ = staging
    report = transfer.import_document(OrganizationFactory(), transfer.export_integration(org, integration))
    assert any("SAP PI" in warning and "does not exist here" in warning for warning in report.warnings)


@pytest.mark.parametrize(
    ("document", "message"),
    [({"format": "other"}, "format"), ({"format": transfer.FORMAT, "version": 99, "integration": {}}, "version"),
     ({"format": transfer.FORMAT, "version": 1, "integration": {}, "use_cases": [{"name": "x"}]}, "use_cases[0].type")],
)
def test_bad_documents_are_refused(document, message):
    org = OrganizationFactory()
    with pytest.raises(ValidationFailed, match=message.replace("[", r"\[")):
        transfer.import_document(org, document)
    assert not Integration.objects.filter(organization=org).exists()


def test_an_invalid_use_case_rolls_everything_back(staging):
    org, integration, *_ = staging
    document = transfer.export_integration(org, integration)
    document["use_cases"][1]["configuration"] = {"mappings": "nope"}
    target = OrganizationFactory()
    with pytest.raises(ValidationFailed, match=r"use_cases\[1\] \(Contracts\)"):
        transfer.import_document(target, document)
    assert not Integration.objects.filter(organization=target).exists()


def test_commands_round_trip(staging, tmp_path):
    org, integration, *_ = staging
    path = tmp_path / "export.json"
    call_command("export_use_cases", "--org", org.slug, "--integration", str(integration.pk), "-o", str(path),
                 stderr=io.StringIO())
    target = OrganizationFactory(name="Prod")
    out = io.StringIO()
    call_command("import_use_cases", str(path), "--org", target.slug, stdout=out)
    assert "created: 3  updated: 0" in out.getvalue()
    assert UseCase.objects.filter(organization=target).count() == 3
    with pytest.raises(CommandError, match="--use-case"):
        call_command("export_use_cases", "--org", org.slug, "--integration", str(integration.pk), "--use-case", "nope")


def test_ui_download_and_upload(staging):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from tests.factories import MembershipFactory

    org, integration, *_ = staging
    viewer = Client()
    viewer.force_login(MembershipFactory(organization=org, role="viewer").user)
    response = viewer.get(f"/integrations/{integration.pk}/export/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    body = response.content
    assert b"HEADER-SECRET" not in body and b"LITERAL-SECRET-123" not in body
    assert viewer.post("/integrations/import/").status_code == 403

    target = OrganizationFactory()
    editor = Client()
    editor.force_login(MembershipFactory(organization=target, role="editor").user)
    response = editor.post("/integrations/import/", {"file": SimpleUploadedFile("x.json", body, "application/json")})
    assert response.status_code == 302
    imported = Integration.objects.get(organization=target)
    assert response["Location"] == f"/integrations/{imported.pk}/"
    bad = editor.post("/integrations/import/", {"file": SimpleUploadedFile("x.json", b"{nope", "application/json")})
    assert bad.status_code == 400 and b"Not a JSON file" in bad.content
    other = editor.get(f"/integrations/{integration.pk}/export/")
    assert other.status_code == 404  # another organisation's integration
