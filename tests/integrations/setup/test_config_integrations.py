"""v1 integration CRUD: contract shapes, partial merge, cascade and bad input."""
import uuid

import pytest

from integrations.models import AppMapping, Integration, UseCase, UseCaseHistory
from integrations.setup.services import use_cases as use_case_services
from tests.factories import AppMappingFactory, IntegrationFactory, UseCaseFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

FULL = {
    "name": "SAP IS-U",
    "description": "Customer master data",
    "access_token_ids": ["api_abc"],
    "app_ids": ["app-1"],
    "environment_config": [
        {"key": "erp.base_url", "label": "Base URL", "type": "String", "order": 0},
        {"key": "erp_password", "label": "Password", "type": "SecretString", "required": True, "description": "x"},
    ],
    "settings": {"autoRefresh": {"enabled": True, "freshnessThresholdMinutes": 30}},
}


def test_create_returns_201_with_every_field(owner):
    response = owner.client.post("/v1/integrations", FULL, format="json")
    assert response.status_code == 201, response.json()
    assert_matches_contract("createIntegration", response)
    body = response.json()
    assert body["orgId"] == owner.organization.id
    assert body["name"] == "SAP IS-U" and body["description"] == "Customer master data"
    assert body["environment_config"][0] == {
        "key": "erp.base_url", "label": "Base URL", "type": "String", "order": 0, "required": False
    }
    assert body["settings"] == {"autoRefresh": {"enabled": True, "freshnessThresholdMinutes": 30}}
    assert Integration.objects.get(pk=body["id"]).organization == owner.organization


def test_minimal_create_omits_absent_optionals(owner):
    response = owner.client.post("/v1/integrations", {"name": "Minimal"}, format="json")
    assert response.status_code == 201
    assert_matches_contract("createIntegration", response)
    body = response.json()
    assert "description" not in body and "settings" not in body
    assert body["created_at"] == body["updated_at"]
    assert body["access_token_ids"] == [] and body["environment_config"] == []


def test_unknown_top_level_keys_are_ignored(owner):
    response = owner.client.post("/v1/integrations", {"name": "X", "colour": "red", "id": "nope"}, format="json")
    assert response.status_code == 201
    assert "colour" not in response.json() and response.json()["id"] != "nope"


def test_list_get_contract_and_order(owner):
    first = IntegrationFactory(organization=owner.organization)
    second = IntegrationFactory(organization=owner.organization)
    response = owner.client.get("/v1/integrations")
    assert response.status_code == 200
    assert_matches_contract("listIntegrations", response)
    assert [i["id"] for i in response.json()["integrations"]] == [str(second.id), str(first.id)]
    detail = owner.client.get(f"/v1/integrations/{first.id}")
    assert detail.status_code == 200
    assert_matches_contract("getIntegration", detail)
    assert detail.json()["name"] == first.name


def test_update_is_a_partial_merge(owner):
    created = owner.client.post("/v1/integrations", FULL, format="json").json()
    response = owner.client.put(f"/v1/integrations/{created['id']}", {"description": "changed"}, format="json")
    assert response.status_code == 200
    assert_matches_contract("updateIntegration", response)
    body = response.json()
    assert body["description"] == "changed"
    assert body["name"] == FULL["name"] and body["environment_config"] == created["environment_config"]
    assert body["settings"] == created["settings"] and body["created_at"] == created["created_at"]
    assert body["updated_at"] >= created["updated_at"]


def test_update_can_clear_description_and_lists(owner):
    created = owner.client.post("/v1/integrations", FULL, format="json").json()
    body = owner.client.put(
        f"/v1/integrations/{created['id']}", {"description": None, "app_ids": [], "settings": None}, format="json"
    ).json()
    assert "description" not in body and "settings" not in body and body["app_ids"] == []


def test_delete_cascades_to_use_cases_history_and_app_mappings(owner):
    integration = IntegrationFactory(organization=owner.organization)
    use_case = UseCaseFactory(integration=integration)
    use_case_services.update_use_case(owner.organization, use_case, {"enabled": False}, actor="test")
    AppMappingFactory(integration=integration)
    response = owner.client.delete(f"/v1/integrations/{integration.id}")
    assert response.status_code == 200
    assert_matches_contract("deleteIntegration", response)
    assert response.json()["message"]
    assert not Integration.objects.filter(pk=integration.pk).exists()
    assert not UseCase.objects.filter(pk=use_case.pk).exists()
    assert not UseCaseHistory.objects.filter(use_case_id=use_case.pk).exists()
    assert not AppMapping.objects.filter(integration_id=integration.pk).exists()
    assert owner.client.get(f"/v1/integrations/{integration.id}").status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
@pytest.mark.parametrize("integration_id", [str(uuid.uuid4()), "not-a-uuid", "123", "%20"])
def test_unknown_or_malformed_id_is_json_404(owner, method, integration_id):
    response = getattr(owner.client, method)(f"/v1/integrations/{integration_id}", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND" and response.json()["message"]


BAD_CREATE = [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"name": 42}, "name"),
    ({"name": "x" * 256}, "name"),
    ({"name": "ok", "description": "d" * 1001}, "description"),
    ({"name": "ok", "description": 5}, "description"),
    ({"name": "ok", "access_token_ids": "api_1"}, "access_token_ids"),
    ({"name": "ok", "access_token_ids": [1]}, "access_token_ids"),
    ({"name": "ok", "app_ids": [None]}, "app_ids"),
    ({"name": "ok", "environment_config": {}}, "environment_config"),
    ({"name": "ok", "environment_config": [{"key": "Upper", "label": "l", "type": "String"}]}, "environment_config[0].key"),
    ({"name": "ok", "environment_config": [{"key": "k", "label": "", "type": "String"}]}, "environment_config[0].label"),
    ({"name": "ok", "environment_config": [{"key": "k", "label": "l", "type": "Number"}]}, "environment_config[0].type"),
    ({"name": "ok", "environment_config": [{"key": "k", "label": "l", "type": "String", "order": -1}]},
     "environment_config[0].order"),
    ({"name": "ok", "environment_config": [{"key": "k", "label": "l", "type": "String", "required": "yes"}]},
     "environment_config[0].required"),
    ({"name": "ok", "environment_config": [{"key": "k", "label": "l", "type": "String"},
                                           {"key": "k", "label": "m", "type": "String"}]},
     "environment_config[1].key"),
    ({"name": "ok", "settings": {"autoRefresh": {"freshnessThresholdMinutes": 0}}},
     "settings.autoRefresh.freshnessThresholdMinutes"),
    ({"name": "ok", "settings": {"autoRefresh": {"enabled": "true"}}}, "settings.autoRefresh.enabled"),
    ({"name": "ok", "settings": []}, "settings"),
    (["name"], "Expected a dictionary"),
    ("just a string", "Expected a dictionary"),
]


@pytest.mark.parametrize(("body", "field"), BAD_CREATE)
def test_create_bad_input_is_400_naming_the_field(owner, body, field):
    response = owner.client.post("/v1/integrations", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["message"]
    assert not Integration.objects.exists()


@pytest.mark.parametrize(("body", "field"), [(b, f) for b, f in BAD_CREATE if b not in ({},) and isinstance(b, dict)])
def test_update_bad_input_is_400_and_changes_nothing(owner, body, field):
    integration = IntegrationFactory(organization=owner.organization, name="Before")
    response = owner.client.put(f"/v1/integrations/{integration.id}", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["message"]
    integration.refresh_from_db()
    assert integration.name == "Before"


@pytest.mark.parametrize("payload", [b'{"name": ', b"not json", b"\xff\xfe"])
def test_malformed_json_is_400(owner, payload):
    response = owner.client.post("/v1/integrations", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_REQUEST"


def test_non_json_content_type_is_415(owner):
    response = owner.client.post("/v1/integrations", "name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
