"""App mapping: create, idempotent re-set, 409 unless overwrite, move, delete
(docs/configuration-validation.md, app mappings)."""
import uuid

import pytest

from integrations.models import AppMapping
from tests.factories import IntegrationFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

APP, COMPONENT = str(uuid.uuid4()), str(uuid.uuid4())
PAIR = {"app_id": APP, "component_id": COMPONENT}


def mapping_url(integration):
    return f"/v1/integrations/{integration.id}/app-mapping"


@pytest.fixture
def first(owner):
    return IntegrationFactory(organization=owner.organization)


@pytest.fixture
def second(owner):
    return IntegrationFactory(organization=owner.organization)


def test_set_creates_and_is_idempotent(owner, first):
    for _ in range(2):
        response = owner.client.put(mapping_url(first), PAIR, format="json")
        assert response.status_code == 200
        assert_matches_contract("setIntegrationAppMapping", response)
        assert response.json() == {"integration_id": str(first.id)}
    assert AppMapping.objects.get().integration == first


def test_mapping_to_another_integration_is_409_without_overwrite(owner, first, second):
    owner.client.put(mapping_url(first), PAIR, format="json")
    response = owner.client.put(mapping_url(second), PAIR, format="json")
    assert response.status_code == 409
    assert_matches_contract("setIntegrationAppMapping", response)
    assert response.json()["code"] == "APP_MAPPING_EXISTS" and "overwrite" in response.json()["message"]
    assert AppMapping.objects.get().integration == first
    moved = owner.client.put(mapping_url(second), {**PAIR, "overwrite": True}, format="json")
    assert moved.status_code == 200 and moved.json() == {"integration_id": str(second.id)}
    assert AppMapping.objects.get().integration == second


def test_same_pair_in_another_org_is_independent(owner, other_org, first):
    theirs = IntegrationFactory(organization=other_org.organization)
    assert other_org.client.put(mapping_url(theirs), PAIR, format="json").status_code == 200
    assert owner.client.put(mapping_url(first), PAIR, format="json").status_code == 200
    assert AppMapping.objects.count() == 2


def test_delete_removes_only_a_matching_mapping(owner, first, second):
    owner.client.put(mapping_url(first), PAIR, format="json")
    wrong = owner.client.delete(mapping_url(second), PAIR, format="json")
    assert wrong.status_code == 404 and wrong.json()["code"] == "NOT_FOUND"
    assert AppMapping.objects.count() == 1
    response = owner.client.delete(mapping_url(first), PAIR, format="json")
    assert response.status_code == 200
    assert_matches_contract("deleteIntegrationAppMapping", response)
    assert not AppMapping.objects.exists()
    again = owner.client.delete(mapping_url(first), PAIR, format="json")
    assert again.status_code == 404


@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize("integration_id", [str(uuid.uuid4()), "nope"])
def test_unknown_integration_is_404(owner, method, integration_id):
    response = getattr(owner.client, method)(f"/v1/integrations/{integration_id}/app-mapping", PAIR, format="json")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


BAD = [
    ({"component_id": COMPONENT}, "app_id"),
    ({"app_id": APP}, "component_id"),
    ({**PAIR, "app_id": "not-a-uuid"}, "app_id"),
    ({**PAIR, "component_id": 12}, "component_id"),
    ({**PAIR, "app_id": None}, "app_id"),
    ("text", "Expected a dictionary"),
]


@pytest.mark.parametrize(("body", "field"), [*BAD, ({**PAIR, "overwrite": "yes"}, "overwrite")])
def test_set_bad_input_is_400(owner, first, body, field):
    response = owner.client.put(mapping_url(first), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and field in response.json()["message"]
    assert not AppMapping.objects.exists()


@pytest.mark.parametrize(("body", "field"), BAD)
def test_delete_bad_input_is_400(owner, first, body, field):
    owner.client.put(mapping_url(first), PAIR, format="json")
    response = owner.client.delete(mapping_url(first), body, format="json")
    assert response.status_code == 400 and field in response.json()["message"]
    assert AppMapping.objects.count() == 1


def test_delete_without_body_is_400(owner, first):
    response = owner.client.delete(mapping_url(first))
    assert response.status_code == 400 and "app_id" in response.json()["message"]
