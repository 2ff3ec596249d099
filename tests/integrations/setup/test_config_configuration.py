"""Use case configurations are validated per type; errors are 400 INVALID_CONFIGURATION with exact paths."""
import copy

import pytest

from integrations.models import Integration, UseCase, UseCaseHistory
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.integrations.configuration.examples import CONTACT_SYNC, CONTRACT_WITH_METERS, FILE_PROXY, OUTBOUND
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

BROKEN_JSONATA = "$substring(name, "


@pytest.fixture
def integration(owner):
    return IntegrationFactory(organization=owner.organization)


def broken_inbound():
    config = copy.deepcopy(CONTACT_SYNC)
    config["entities"][0]["fields"][1] = {"attribute": "first_name", "jsonataExpression": BROKEN_JSONATA}
    return config


@pytest.mark.parametrize(
    ("use_case_type", "configuration"),
    [("inbound", CONTACT_SYNC), ("inbound", CONTRACT_WITH_METERS), ("outbound", OUTBOUND), ("file_proxy", FILE_PROXY)],
)
def test_valid_configuration_round_trips_and_matches_contract(owner, integration, use_case_type, configuration):
    body = {"name": "UC", "type": use_case_type, "enabled": True, "configuration": copy.deepcopy(configuration)}
    created = owner.client.post(f"/v1/integrations/{integration.id}/use-cases", body, format="json")
    assert created.status_code == 201, created.json()
    assert_matches_contract("createUseCase", created)
    fetched = owner.client.get(f"/v1/integrations/{integration.id}/use-cases/{created.json()['id']}")
    assert_matches_contract("getUseCase", fetched)
    assert fetched.json()["configuration"] == created.json()["configuration"]


def test_unknown_keys_inside_configuration_are_kept(owner, integration):
    config = copy.deepcopy(CONTACT_SYNC)
    config["entities"][0]["pricing"] = {"future": True}
    config["x_custom"] = 1
    created = owner.client.post(
        f"/v1/integrations/{integration.id}/use-cases",
        {"name": "UC", "type": "inbound", "enabled": True, "configuration": config}, format="json",
    )
    assert created.status_code == 201
    assert created.json()["configuration"]["entities"][0]["pricing"] == {"future": True}
    assert created.json()["configuration"]["x_custom"] == 1


def test_create_with_invalid_configuration_names_the_exact_path(owner, integration):
    response = owner.client.post(
        f"/v1/integrations/{integration.id}/use-cases",
        {"name": "UC", "type": "inbound", "enabled": True, "configuration": broken_inbound()}, format="json",
    )
    assert response.status_code == 400
    assert_matches_contract("createUseCase", response)
    body = response.json()
    path = "configuration.entities[0].fields[1].jsonataExpression"
    assert body["code"] == "INVALID_CONFIGURATION"
    assert body["message"].startswith(f"{path}: ")
    assert body["details"][0]["path"] == path and body["details"][0]["message"]
    assert not UseCase.objects.exists()


def test_configuration_is_validated_against_the_use_case_type(owner, integration):
    response = owner.client.post(
        f"/v1/integrations/{integration.id}/use-cases",
        {"name": "UC", "type": "outbound", "enabled": True, "configuration": copy.deepcopy(CONTACT_SYNC)},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "INVALID_CONFIGURATION"
    assert any(d["path"].startswith("configuration.") for d in response.json()["details"])


def test_update_with_invalid_configuration_changes_nothing(owner, integration):
    use_case = UseCaseFactory(integration=integration)
    response = owner.client.put(
        f"/v1/integrations/{integration.id}/use-cases/{use_case.id}",
        {"enabled": False, "configuration": broken_inbound()}, format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "INVALID_CONFIGURATION"
    use_case.refresh_from_db()
    assert use_case.enabled is True and use_case.configuration["entities"][0]["fields"][1]["field"] == "firstName"
    assert not UseCaseHistory.objects.exists()


def test_update_replaces_configuration_wholesale_and_snapshots_the_old_one(owner, integration):
    use_case = UseCaseFactory(integration=integration)
    old = use_case.configuration
    response = owner.client.put(
        f"/v1/integrations/{integration.id}/use-cases/{use_case.id}",
        {"configuration": copy.deepcopy(CONTRACT_WITH_METERS)}, format="json",
    )
    assert response.status_code == 200
    assert response.json()["configuration"] == CONTRACT_WITH_METERS
    assert UseCaseHistory.objects.get().configuration == old


def test_v2_embedded_configuration_errors_are_located_in_use_cases(owner):
    integration = IntegrationFactory(organization=owner.organization, name="Before")
    response = owner.client.put(
        f"/v2/integrations/{integration.id}",
        {"name": "After", "use_cases": [
            {"name": "ok", "type": "outbound", "enabled": True, "configuration": copy.deepcopy(OUTBOUND)},
            {"name": "bad", "type": "inbound", "enabled": True, "configuration": broken_inbound()},
        ]},
        format="json",
    )
    assert response.status_code == 400
    assert_matches_contract("updateIntegrationV2", response)
    path = "use_cases[1].configuration.entities[0].fields[1].jsonataExpression"
    assert response.json()["code"] == "INVALID_CONFIGURATION"
    assert response.json()["message"].startswith(f"{path}: ")
    assert response.json()["details"][0]["path"] == path
    integration.refresh_from_db()
    assert integration.name == "Before" and not UseCase.objects.exists()


def test_v2_create_with_invalid_configuration_creates_nothing(owner):
    response = owner.client.post(
        "/v2/integrations",
        {"name": "X", "use_cases": [{"name": "bad", "type": "inbound", "enabled": True,
                                     "configuration": broken_inbound()}]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "INVALID_CONFIGURATION"
    assert not Integration.objects.exists()


def test_v2_file_proxy_use_case_is_accepted_embedded(owner, integration):
    response = owner.client.put(
        f"/v2/integrations/{integration.id}",
        {"name": "X", "use_cases": [{"name": "Files", "type": "file_proxy", "enabled": True,
                                     "configuration": copy.deepcopy(FILE_PROXY)}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert_matches_contract("updateIntegrationV2", response)
    assert "requires_vpc" not in response.json()["use_cases"][0]["configuration"]
