"""Environment values page: String values shown, SecretString values never rendered back; editor to change."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fileproxy.environment import load_environment, set_environment_value
from fileproxy.models import EnvironmentValue
from tests.factories import IntegrationFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-Passw0rd-xyz"


@pytest.fixture
def integration(org):
    return IntegrationFactory(organization=org, name="SAP IS-U", environment_config=[
        {"key": "base_url", "label": "Base URL", "type": "String", "required": True, "order": 0},
        {"key": "password", "label": "Password", "type": "SecretString", "required": True, "order": 1},
        {"key": "client_id", "label": "Client id", "type": "String", "order": 2},
    ])


def url(integration):
    return f"/integrations/{integration.pk}/environment/"


def test_viewer_sees_string_values_and_secret_state_but_never_the_secret(ui_client, integration):
    set_environment_value(integration, "base_url", "https://erp.example")
    set_environment_value(integration, "password", SECRET)
    response = ui_client("viewer").get(url(integration))
    assert response.status_code == 200
    html = response.content.decode()
    assert "https://erp.example" in html and SECRET not in html
    assert "Save values" not in html  # read-only for viewers
    assert "Required but not set" not in html  # both required variables are set


def test_editor_form_never_renders_the_secret_back(ui_client, integration):
    set_environment_value(integration, "password", SECRET)
    response = ui_client("editor").get(url(integration))
    html = response.content.decode()
    assert SECRET not in html
    assert 'type="password"' in html and "set - leave empty to keep" in html
    assert "Required but not set: <code>base_url</code>." in html


def test_editor_sets_values_and_secrets_are_encrypted(ui_client, integration):
    response = ui_client("editor").post(url(integration), {
        "value__base_url": "https://erp.example", "value__password": SECRET, "value__client_id": "",
    })
    assert response.status_code == 302 and response["Location"] == url(integration)
    env = load_environment(integration)
    assert env.values == {"base_url": "https://erp.example", "password": SECRET}
    stored = EnvironmentValue.objects.get(integration=integration, key="password")
    assert stored.is_secret and SECRET not in stored.value
    page = ui_client("editor").get(url(integration)).content.decode()
    assert SECRET not in page


def test_empty_secret_keeps_it_and_clear_removes_it(ui_client, integration):
    set_environment_value(integration, "base_url", "https://old")
    set_environment_value(integration, "password", SECRET)
    client = ui_client("editor")
    response = client.post(url(integration), {"value__base_url": "https://new", "value__password": ""}, follow=True)
    assert "Environment saved: base_url set." in response.content.decode()
    assert load_environment(integration).values == {"base_url": "https://new", "password": SECRET}

    response = client.post(url(integration), {"value__base_url": "", "clear__password": "on"}, follow=True)
    assert "base_url cleared, password cleared" in response.content.decode()
    assert load_environment(integration).values == {}


def test_replacing_a_secret(ui_client, integration):
    set_environment_value(integration, "password", SECRET)
    response = ui_client("editor").post(url(integration), {"value__password": "new-one"}, follow=True)
    assert "password replaced" in response.content.decode() and "new-one" not in response.content.decode()
    assert load_environment(integration).values["password"] == "new-one"


def test_new_secret_and_clear_together_is_a_field_error(ui_client, integration):
    set_environment_value(integration, "password", SECRET)
    response = ui_client("editor").post(url(integration), {"value__password": "other", "clear__password": "on"})
    assert response.status_code == 400 and b"not both" in response.content
    assert b"other" not in response.content  # a typed secret is not echoed back either
    assert load_environment(integration).values["password"] == SECRET


def test_nul_character_is_refused_and_nothing_is_written(ui_client, integration):
    response = ui_client("editor").post(url(integration), {"value__base_url": "ok", "value__client_id": "a\x00b"})
    assert response.status_code == 400 and b"haracters are not allowed" in response.content
    assert not EnvironmentValue.objects.exists()


def test_viewer_cannot_change_values(ui_client, integration):
    response = ui_client("viewer").post(url(integration), {"value__base_url": "https://x"})
    assert response.status_code == 403 and b"editor role" in response.content
    assert not EnvironmentValue.objects.exists()


def test_another_organisations_integration_is_404(ui_client):
    foreign = IntegrationFactory(organization=OrganizationFactory(), environment_config=[
        {"key": "base_url", "label": "Base URL", "type": "String"}])
    client = ui_client("admin")
    assert client.get(url(foreign)).status_code == 404
    assert client.post(url(foreign), {"value__base_url": "x"}).status_code == 404
    assert client.get("/integrations/not-a-uuid/environment/").status_code == 404
    assert not EnvironmentValue.objects.exists()


def test_no_declared_variables_explains_where_to_declare(ui_client, org):
    integration = IntegrationFactory(organization=org, environment_config=[])
    response = ui_client("editor").get(url(integration))
    assert b"No environment variables declared" in response.content


def test_query_count_does_not_grow_with_variables(ui_client, org):
    def declared(n):
        return [{"key": f"k{i}", "label": f"K{i}", "type": "SecretString" if i % 2 else "String"} for i in range(n)]

    client = ui_client("editor")
    few = IntegrationFactory(organization=org, environment_config=declared(2))
    many = IntegrationFactory(organization=org, environment_config=declared(20))
    for integration in (few, many):
        for item in integration.environment_config:
            set_environment_value(integration, item["key"], "v")
    client.get(url(few))
    with CaptureQueriesContext(connection) as a:
        client.get(url(few))
    with CaptureQueriesContext(connection) as b:
        client.get(url(many))
    assert len(a) == len(b)


def test_detail_page_links_to_the_values(ui_client, integration):
    response = ui_client("viewer").get(f"/integrations/{integration.pk}/")
    assert url(integration).encode() in response.content
