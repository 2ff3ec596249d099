"""The v1.33 fields in the configuration pages: the integration's type, protection, manifest and
connector (errors at the field, nothing half-written), the use-case list filtered by type, the new
types created and edited (managed-call type annotations, secure-proxy routing mode)."""
import json

import pytest

from integrations.models import Integration, UseCase
from integrations.outbound.services.catalog import publish_event
from tests.factories import IntegrationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


def _form(**extra):
    base = {"name": "Partner API", "description": "", "env-TOTAL_FORMS": "0", "env-INITIAL_FORMS": "0",
            "integration_type": "connector", "connector_base_url": "https://api.partner.example",
            "connector_auth_type": "oauth2_client_credentials", "connector_token_url": "https://login.example/token",
            "connector_client_id": "hub", "connector_client_secret": "{{env.partner_secret}}"}
    return {**base, **extra}


def test_connector_integration_is_created_from_the_form(ui_client, org):
    response = ui_client().post("/integrations/new/", _form(protected="on", manifest="bp-1, bp-2"))
    assert response.status_code == 302, response.content.decode()[:2000]
    integration = Integration.objects.get(organization=org)
    assert integration.integration_type == "connector" and integration.protected is True
    assert integration.manifest == ["bp-1", "bp-2"]
    assert integration.connector_config == {"base_url": "https://api.partner.example", "auth": {
        "type": "oauth2_client_credentials", "token_url": "https://login.example/token", "client_id": "hub",
        "client_secret": "{{env.partner_secret}}"}}
    detail = ui_client("viewer").get(f"/integrations/{integration.pk}/")
    assert b"protected" in detail.content and b"https://api.partner.example" in detail.content


def test_a_literal_secret_is_an_error_at_its_field_and_nothing_is_written(ui_client, org):
    response = ui_client().post("/integrations/new/", _form(connector_client_secret="hunter2"))
    assert response.status_code == 400
    form = response.context["v133"]
    assert "not a literal secret" in " ".join(form.errors["connector_client_secret"])
    assert b'id="id_connector_client_secret-error"' in response.content
    assert not Integration.objects.filter(organization=org).exists()


def test_use_case_list_filters_by_type(ui_client, org):
    integration = IntegrationFactory(organization=org)
    UseCaseFactory(integration=integration, name="Customers")
    UseCaseFactory(integration=integration, name="Orders API", type="managed_call", configuration=None)
    client = ui_client("viewer")
    everything = client.get(f"/integrations/{integration.pk}/")
    assert b"Customers" in everything.content and b"Orders API" in everything.content
    assert b"Managed call (1)" in everything.content and b"All (2)" in everything.content
    filtered = client.get(f"/integrations/{integration.pk}/?type=managed_call")
    assert b"Orders API" in filtered.content and b">Customers<" not in filtered.content


def test_new_types_are_creatable_and_editable(ui_client, org):
    integration = IntegrationFactory(organization=org)
    client = ui_client()
    response = client.post(f"/integrations/{integration.pk}/use-cases/new/",
                           {"name": "VPN", "type": "secure_proxy", "enabled": "on", "vpc_mode": "secure_link"})
    assert response.status_code == 302
    proxy = UseCase.objects.get(integration=integration, type="secure_proxy")
    assert proxy.configuration == {"vpc_mode": "secure_link", "allowed_domains": [], "allowed_ips": []}

    client.post(f"/integrations/{integration.pk}/use-cases/new/",
                {"name": "Orders", "type": "managed_call", "enabled": "on"})
    call = UseCase.objects.get(integration=integration, type="managed_call")
    url = f"/integrations/{integration.pk}/use-cases/{call.pk}/"
    page = client.get(url)
    assert b"usecase-editor-types.js" in page.content and b"Type annotations" in page.content
    bad = client.post(url, {"name": "Orders", "enabled": "on", "change_description": "annotate",
                            "configuration": json.dumps(call.configuration),
                            "type_annotations": json.dumps({"request": {"id": 5}})})
    assert bad.status_code == 400
    assert {"path": "type_annotations.request.id", "message": "must be a string, not a number"} in bad.context["issues"]
    good = client.post(url, {"name": "Orders", "enabled": "on", "change_description": "annotate",
                             "configuration": json.dumps(call.configuration),
                             "type_annotations": json.dumps({"request": {"id": "string"}})})
    assert good.status_code == 302
    call.refresh_from_db()
    assert call.type_annotations == {"request": {"id": "string"}} and call.changed_by == str(client.user.pk)


def test_protected_integration_is_shown_read_only(ui_client, org):
    integration = IntegrationFactory(organization=org, protected=True)
    use_case = UseCaseFactory(integration=integration)
    page = ui_client().get(f"/integrations/{integration.pk}/use-cases/{use_case.pk}/")
    assert b"data-protected" in page.content and b"data-readonly" in page.content
    assert b"Save version" not in page.content


def test_deliveries_tab_lists_what_a_filter_skipped(ui_client, org):
    integration = IntegrationFactory(organization=org)
    UseCaseFactory(integration=integration, type="outbound", name="Only active", configuration={
        "event_catalog_event": "contract.created", "event_filter": "status = 'active'", "mappings": [
            {"id": "00000000-0000-4000-8000-000000000001", "name": "m", "enabled": True,
             "jsonata_expression": "$", "delivery": {"type": "webhook", "webhook_id": "w"}}]})
    publish_event(org, {"event_name": "contract.created", "payload": {"status": "draft"}})
    page = ui_client("viewer").get(f"/integrations/{integration.pk}/deliveries/")
    assert page.status_code == 200
    assert b"data-skips" in page.content and b"EVENT_FILTERED" in page.content and b"Only active" in page.content
