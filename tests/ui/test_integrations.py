"""Integration pages: list, create, edit (environment, auto-refresh), delete; roles and isolation."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.models import Integration, UseCase
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


def env_management(total=1, prefix="env"):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_list_shows_own_integrations_with_use_case_counts(ui_client, org):
    mine = IntegrationFactory(organization=org, name="SAP IS-U")
    UseCaseFactory.create_batch(2, integration=mine)
    IntegrationFactory(name="Foreign ERP")
    response = ui_client("viewer").get("/integrations/")
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.integration == mine and row.use_case_count == 2
    assert b"Foreign ERP" not in response.content


def test_list_query_count_does_not_grow_with_integrations(ui_client, org):
    client = ui_client("viewer")
    IntegrationFactory.create_batch(2, organization=org)
    client.get("/integrations/")  # the first request also stores the current organisation in the session
    with CaptureQueriesContext(connection) as few:
        client.get("/integrations/")
    for integration in IntegrationFactory.create_batch(8, organization=org):
        UseCaseFactory(integration=integration)
    with CaptureQueriesContext(connection) as many:
        client.get("/integrations/")
    assert len(many) == len(few)


def test_empty_list_invites_editors_to_create(ui_client):
    assert b"Create the first integration" in ui_client("editor").get("/integrations/").content
    assert b"Create the first integration" not in ui_client("viewer").get("/integrations/").content


def test_create_with_environment_and_auto_refresh(ui_client, org):
    data = {
        "name": "SAP IS-U", "description": "Customers", "auto_refresh_enabled": "on",
        "freshness_threshold_minutes": "30", **env_management(2),
        "env-0-key": "api.base_url", "env-0-label": "API base URL", "env-0-type": "String",
        "env-1-key": "api_password", "env-1-label": "Password", "env-1-type": "SecretString", "env-1-required": "on",
    }
    response = ui_client("editor").post("/integrations/new/", data)
    integration = Integration.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == f"/integrations/{integration.pk}/"
    assert integration.description == "Customers"
    assert integration.settings == {"autoRefresh": {"enabled": True, "freshnessThresholdMinutes": 30}}
    assert integration.environment_config == [
        {"key": "api.base_url", "label": "API base URL", "type": "String", "required": False, "order": 0},
        {"key": "api_password", "label": "Password", "type": "SecretString", "required": True, "order": 1},
    ]


def test_create_rejects_bad_input_field_by_field(ui_client):
    data = {"name": "", "auto_refresh_enabled": "on", **env_management(1),
            "env-0-key": "Bad Key", "env-0-label": "x", "env-0-type": "String"}
    response = ui_client("editor").post("/integrations/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"name", "freshness_threshold_minutes"}
    assert "key" in response.context["environment"].forms[0].errors
    assert not Integration.objects.exists()


def test_duplicate_environment_keys_are_refused(ui_client):
    data = {"name": "x", **env_management(2), "env-0-key": "a", "env-0-label": "A", "env-0-type": "String",
            "env-1-key": "a", "env-1-label": "B", "env-1-type": "String"}
    response = ui_client("editor").post("/integrations/new/", data)
    assert response.status_code == 400 and b"only once" in response.content


def test_edit_prefills_and_saves(ui_client, org):
    integration = IntegrationFactory(
        organization=org,
        environment_config=[{"key": "token", "label": "Token", "type": "SecretString", "order": 0}],
        settings={"autoRefresh": {"enabled": True, "freshnessThresholdMinutes": 5}, "other": 1},
    )
    client = ui_client("editor")
    page = client.get(f"/integrations/{integration.pk}/edit/")
    assert page.status_code == 200 and b'value="token"' in page.content
    data = {"name": "Renamed", "description": "", **env_management(1), "env-0-key": "token",
            "env-0-label": "Token", "env-0-type": "SecretString", "env-0-DELETE": "on"}
    response = client.post(f"/integrations/{integration.pk}/edit/", data)
    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.name == "Renamed" and integration.environment_config == []
    assert integration.settings == {"other": 1}


def test_detail_lists_use_cases_and_curl_hint_when_empty(ui_client, org):
    integration = IntegrationFactory(organization=org)
    page = ui_client("viewer").get(f"/integrations/{integration.pk}/")
    assert b"No use cases yet" in page.content and b"/v3/erp/updates/events" in page.content
    UseCaseFactory(integration=integration, name="CustomerChanged")
    page = ui_client("viewer").get(f"/integrations/{integration.pk}/")
    assert b"CustomerChanged" in page.content


def test_delete_asks_then_deletes(ui_client, org):
    integration = IntegrationFactory(organization=org)
    UseCaseFactory(integration=integration)
    client = ui_client("editor")
    page = client.get(f"/integrations/{integration.pk}/delete/")
    assert page.status_code == 200 and b"cannot be undone" in page.content
    assert Integration.objects.filter(pk=integration.pk).exists()
    response = client.post(f"/integrations/{integration.pk}/delete/")
    assert response.status_code == 302
    assert not Integration.objects.filter(pk=integration.pk).exists() and not UseCase.objects.exists()


@pytest.mark.parametrize(
    "method,path",
    [("get", "/integrations/new/"), ("post", "/integrations/new/"), ("get", "/integrations/{id}/edit/"),
     ("post", "/integrations/{id}/edit/"), ("get", "/integrations/{id}/delete/"), ("post", "/integrations/{id}/delete/")],
)
def test_viewers_cannot_change_integrations(ui_client, org, method, path):
    integration = IntegrationFactory(organization=org, name="Keep")
    response = getattr(ui_client("viewer"), method)(path.format(id=integration.pk), {"name": "Changed"})
    assert response.status_code == 403
    integration.refresh_from_db()
    assert integration.name == "Keep"


@pytest.mark.parametrize("suffix", ["", "edit/", "delete/"])
def test_another_orgs_integration_is_404(ui_client, suffix):
    foreign = IntegrationFactory(organization=OrganizationFactory())
    client = ui_client("admin")
    assert client.get(f"/integrations/{foreign.pk}/{suffix}").status_code == 404
    if suffix:
        assert client.post(f"/integrations/{foreign.pk}/{suffix}", {"name": "x"}).status_code == 404
    assert Integration.objects.filter(pk=foreign.pk).exists()


def test_malformed_id_is_404(ui_client):
    assert ui_client("viewer").get("/integrations/not-a-uuid/").status_code == 404
