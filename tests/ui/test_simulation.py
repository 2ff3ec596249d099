"""The editor's live simulation endpoint: the production engine over a draft, persisting nothing."""
import json

import pytest

from integrations.models import UseCaseHistory
from integrations.setup.simulation_panel import editor_path
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db

CONFIG = {
    "entities": [
        {
            "entity_schema": "contact",
            "unique_ids": ["customer_number"],
            "fields": [
                {"attribute": "customer_number", "field": "customerId"},
                {"attribute": "first_name", "jsonataExpression": "$uppercase(firstName)"},
                {"attribute": "email", "field": "mail", "_type": "email"},
            ],
        }
    ]
}
PAYLOAD = json.dumps({"customerId": "C-1", "firstName": "Ada", "mail": "ada@example.com"})


@pytest.fixture
def integration(org):
    return IntegrationFactory(organization=org)


def simulate(client, integration, configuration=CONFIG, payload=PAYLOAD, fmt="json"):
    text = configuration if isinstance(configuration, str) else json.dumps(configuration)
    response = client.post(
        f"/integrations/{integration.pk}/simulate/",
        json.dumps({"configuration": text, "payload": payload, "format": fmt}),
        content_type="application/json",
    )
    return response, response.json()


def test_renders_entity_updates(ui_client, integration):
    response, body = simulate(ui_client("viewer"), integration)
    assert response.status_code == 200 and body["ok"] is True and body["issues"] == []
    assert '&quot;first_name&quot;: &quot;ADA&quot;' in body["html"]
    assert "customer_number=C-1" in body["html"]


def test_xml_payloads(ui_client, integration):
    configuration = {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"],
                                   "fields": [{"attribute": "customer_number", "field": "$.customer.id"}]}]}
    _, body = simulate(ui_client("viewer"), integration, configuration, "<customer><id>C-7</id></customer>", "xml")
    assert body["ok"] and "customer_number=C-7" in body["html"]


def test_jsonata_error_shows_the_path_and_position(ui_client, integration):
    broken = json.loads(json.dumps(CONFIG))
    broken["entities"][0]["fields"][1]["jsonataExpression"] = "$uppercase(firstName"
    _, body = simulate(ui_client("viewer"), integration, broken)
    assert body["ok"] is False
    assert any(issue["path"].startswith("configuration.entities[0].fields[1]") for issue in body["issues"]), body
    assert "simulation-error" in body["html"]


def test_invalid_json_configuration(ui_client, integration):
    _, body = simulate(ui_client("viewer"), integration, '{"entities": [')
    assert body["ok"] is False and body["issues"][0]["path"] == "configuration"
    assert "not valid JSON" in body["html"]


def test_missing_payload_asks_for_one(ui_client, integration):
    _, body = simulate(ui_client("viewer"), integration, payload="  ")
    assert body["ok"] is False and "Paste a sample payload" in body["html"]


def test_nothing_is_saved(ui_client, integration):
    use_case = UseCaseFactory(integration=integration)
    before = use_case.configuration
    simulate(ui_client("editor"), integration)
    use_case.refresh_from_db()
    assert use_case.configuration == before and not UseCaseHistory.objects.exists()


def test_bad_body_is_400(ui_client, integration):
    response = ui_client("viewer").post(f"/integrations/{integration.pk}/simulate/", "[]", content_type="application/json")
    assert response.status_code == 400


def test_needs_csrf_and_login(client, ui_client, integration):
    assert client.post(f"/integrations/{integration.pk}/simulate/").status_code == 302
    csrf_client = ui_client("viewer")
    csrf_client.handler.enforce_csrf_checks = True
    assert csrf_client.post(f"/integrations/{integration.pk}/simulate/", "{}", content_type="application/json").status_code == 403


def test_another_orgs_integration_is_404(ui_client):
    foreign = IntegrationFactory(organization=OrganizationFactory())
    response = ui_client("viewer").post(f"/integrations/{foreign.pk}/simulate/", "{}", content_type="application/json")
    assert response.status_code == 404


def test_editor_paths_translate_the_service_root():
    assert editor_path("event_configuration.entities[0]") == "configuration.entities[0]"
    assert editor_path("event_configuration") == "configuration"
    assert editor_path("payload") == "payload"


def test_a_direct_configuration_simulates_the_direct_payload(ui_client, integration):
    configuration = {"direct": True, "entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"]}]}
    valid = json.dumps({"version": "1", "operations": [
        {"entity_slug": "contact", "unique_ids": {"customer_number": "C-1"}, "attributes": {"first_name": "Ada"}}]})
    response, body = simulate(ui_client("viewer"), integration, configuration, valid)
    assert response.status_code == 200 and body["ok"] is True
    assert "customer_number=C-1" in body["html"] and "&quot;first_name&quot;: &quot;Ada&quot;" in body["html"]
    invalid = json.dumps({"version": "1", "operations": [
        {"entity_slug": "invoice", "unique_ids": {"n": "1"}, "attributes": {}, "extra": 1}]})
    response, body = simulate(ui_client("viewer"), integration, configuration, invalid)
    assert body["ok"] is False and 'data-testid="direct-errors"' in body["html"]
    assert "DIRECT_ENTITY_NOT_ALLOWED" in body["html"] and "payload.operations[0].extra: unknown property" in body["html"]


def test_prune_scopes_are_previewed(ui_client, integration):
    configuration = {"entities": [{
        "entity_schema": "contract", "unique_ids": ["contract_number"], "mode": "upsert-prune-scope-delete",
        "scope": {"scope_mode": "query", "query": [{"attribute": "account", "field": "account"}]},
        "fields": [{"attribute": "contract_number", "field": "no"}]}]}
    response, body = simulate(ui_client("viewer"), integration, configuration,
                              json.dumps({"no": "K-1", "account": "A-1"}))
    assert body["ok"] is True and 'data-testid="prune-scope"' in body["html"]
    assert "keep_unique_ids" in body["html"] and "&quot;deletion_mode&quot;: &quot;delete&quot;" in body["html"]


@pytest.mark.parametrize(
    ("expression", "code", "text"),
    [("$foo(firstName)", "T1006", "non-function"), ("$number(firstName)", "D3030", "")],
)
def test_runtime_jsonata_error_shows_the_engines_message(ui_client, integration, expression, code, text):
    broken = json.loads(json.dumps(CONFIG))
    broken["entities"][0]["fields"][1]["jsonataExpression"] = expression
    _, body = simulate(ui_client("viewer"), integration, broken)
    assert body["ok"] is False
    [issue] = body["issues"]
    assert issue["path"] == "configuration.entities[0].fields[1].jsonataExpression"
    assert issue["code"] == code and code in issue["message"] and text in issue["message"]
    assert f'<code data-testid="jsonata-code">{code}</code>' in body["html"]
    assert "JSONATA_ERROR" not in body["html"]


def test_errors_without_their_own_message_keep_the_engines_words(ui_client, integration):
    """A mapping error that names only a path (no issue text) still says what went wrong under the field."""
    _, body = simulate(ui_client("viewer"), integration, payload=json.dumps({"firstName": "no id"}))
    assert body["ok"] is False
    [issue] = body["issues"]
    assert issue["message"].startswith("MISSING_UNIQUE_IDENTIFIERS: ")
    assert len(issue["message"]) > len("MISSING_UNIQUE_IDENTIFIERS: ")
