"""v1 use case CRUD: slugs, partial updates, type immutability, contract shapes and bad input."""
import uuid

import pytest

from integrations.models import UseCase, UseCaseHistory
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(owner):
    return IntegrationFactory(organization=owner.organization)


def url(integration, use_case=None, suffix=""):
    base = f"/v1/integrations/{integration.id}/use-cases"
    return f"{base}/{use_case.id if hasattr(use_case, 'id') else use_case}{suffix}" if use_case else base


@pytest.mark.parametrize("use_case_type", ["inbound", "outbound", "file_proxy"])
def test_create_without_configuration_for_every_type(owner, integration, use_case_type):
    response = owner.client.post(
        url(integration), {"name": "Customer Sync", "type": use_case_type, "enabled": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert_matches_contract("createUseCase", response)
    body = response.json()
    assert body["integrationId"] == str(integration.id) and body["type"] == use_case_type
    assert body["slug"] == "customer-sync"
    assert "configuration" not in body and "change_description" not in body
    assert body["created_at"] == body["updated_at"]


def test_slug_is_derived_and_deduplicated(owner, integration):
    slugs = [
        owner.client.post(url(integration), {"name": "Zähler Stand!", "type": "inbound", "enabled": True},
                          format="json").json()["slug"]
        for _ in range(3)
    ]
    assert slugs == ["zahler-stand", "zahler-stand-2", "zahler-stand-3"]
    odd = owner.client.post(url(integration), {"name": "!!!", "type": "inbound", "enabled": True}, format="json")
    assert odd.json()["slug"] == "use-case"


def test_same_slug_in_another_integration_is_fine(owner, integration):
    other = IntegrationFactory(organization=owner.organization)
    for target in (integration, other):
        response = owner.client.post(
            url(target), {"name": "A", "slug": "orders", "type": "inbound", "enabled": True}, format="json"
        )
        assert response.status_code == 201 and response.json()["slug"] == "orders"


def test_explicit_duplicate_slug_is_400(owner, integration):
    UseCaseFactory(integration=integration, slug="orders")
    response = owner.client.post(
        url(integration), {"name": "A", "slug": "orders", "type": "inbound", "enabled": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "DUPLICATE_SLUG" and "slug" in response.json()["message"]


def test_list_and_get(owner, integration):
    first, second = UseCaseFactory(integration=integration), UseCaseFactory(integration=integration)
    response = owner.client.get(url(integration))
    assert response.status_code == 200
    assert_matches_contract("listUseCases", response)
    assert [u["id"] for u in response.json()["use_cases"]] == [str(first.id), str(second.id)]
    detail = owner.client.get(url(integration, first))
    assert detail.status_code == 200
    assert_matches_contract("getUseCase", detail)
    assert detail.json()["configuration"] == first.configuration


def test_update_is_partial_and_snapshots_the_previous_state(owner, integration):
    use_case = UseCaseFactory(integration=integration, change_description="initial")
    before = owner.client.get(url(integration, use_case)).json()
    response = owner.client.put(url(integration, use_case), {"enabled": False}, format="json")
    assert response.status_code == 200
    assert_matches_contract("updateUseCase", response)
    body = response.json()
    assert body["enabled"] is False
    assert body["name"] == before["name"] and body["configuration"] == before["configuration"]
    assert body["slug"] == before["slug"] and body["created_at"] == before["created_at"]
    assert "change_description" not in body  # it describes the last change, which had none
    snapshot = UseCaseHistory.objects.get(use_case=use_case)
    assert snapshot.enabled is True and snapshot.change_description == "initial"
    assert snapshot.changed_by == ""  # the token has no user: no changed_by (v1.33 UseCaseBase.changed_by)


def test_update_with_same_type_is_accepted_but_changing_it_is_400(owner, integration):
    use_case = UseCaseFactory(integration=integration, type="inbound")
    ok = owner.client.put(url(integration, use_case), {"type": "inbound", "name": "Renamed"}, format="json")
    assert ok.status_code == 200 and ok.json()["name"] == "Renamed"
    response = owner.client.put(url(integration, use_case), {"type": "outbound"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith("type:")
    assert UseCase.objects.get(pk=use_case.pk).type == "inbound"
    assert UseCaseHistory.objects.filter(use_case=use_case).count() == 1  # the failed update left no trace


def test_slug_is_immutable_but_can_be_set_once(owner, integration):
    use_case = UseCaseFactory(integration=integration, slug=None)
    response = owner.client.put(url(integration, use_case), {"slug": "late-slug"}, format="json")
    assert response.status_code == 200 and response.json()["slug"] == "late-slug"
    same = owner.client.put(url(integration, use_case), {"slug": "late-slug"}, format="json")
    assert same.status_code == 200
    changed = owner.client.put(url(integration, use_case), {"slug": "other"}, format="json")
    assert changed.status_code == 400
    assert changed.json()["code"] == "SLUG_IMMUTABLE" and "slug" in changed.json()["message"]


def test_setting_a_slug_taken_by_a_sibling_is_400(owner, integration):
    UseCaseFactory(integration=integration, slug="taken")
    use_case = UseCaseFactory(integration=integration, slug=None)
    response = owner.client.put(url(integration, use_case), {"slug": "taken"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "DUPLICATE_SLUG"


def test_delete(owner, integration):
    use_case = UseCaseFactory(integration=integration)
    response = owner.client.delete(url(integration, use_case))
    assert response.status_code == 200
    assert_matches_contract("deleteUseCase", response)
    assert not UseCase.objects.filter(pk=use_case.pk).exists()
    assert owner.client.get(url(integration, use_case)).status_code == 404


def test_use_case_of_another_integration_is_404(owner, integration):
    sibling = IntegrationFactory(organization=owner.organization)
    use_case = UseCaseFactory(integration=sibling)
    for method in ("get", "put", "delete"):
        response = getattr(owner.client, method)(url(integration, use_case), {"enabled": False}, format="json")
        assert response.status_code == 404, method
    assert owner.client.get(url(integration, use_case, "/history")).status_code == 404


@pytest.mark.parametrize("use_case_id", [str(uuid.uuid4()), "nope", "1"])
@pytest.mark.parametrize("suffix", ["", "/history"])
def test_unknown_or_malformed_use_case_id_is_404(owner, integration, use_case_id, suffix):
    response = owner.client.get(url(integration, use_case_id, suffix))
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("integration_id", [str(uuid.uuid4()), "nope"])
def test_use_cases_of_unknown_integration_are_404(owner, integration_id):
    assert owner.client.get(f"/v1/integrations/{integration_id}/use-cases").status_code == 404
    response = owner.client.post(
        f"/v1/integrations/{integration_id}/use-cases", {"name": "a", "type": "inbound", "enabled": True},
        format="json",
    )
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


VALID = {"name": "Orders", "type": "inbound", "enabled": True}
BAD_CREATE = [
    ({"type": "inbound", "enabled": True}, "name"),
    ({**VALID, "name": ""}, "name"),
    ({**VALID, "name": 7}, "name"),
    ({**VALID, "name": "n" * 256}, "name"),
    ({"name": "a", "enabled": True}, "type"),
    ({**VALID, "type": "sideways"}, "type"),
    ({**VALID, "type": None}, "type"),
    ({"name": "a", "type": "inbound"}, "enabled"),
    ({**VALID, "enabled": "true"}, "enabled"),
    ({**VALID, "enabled": 1}, "enabled"),
    ({**VALID, "slug": "Upper"}, "slug"),
    ({**VALID, "slug": "-leading"}, "slug"),
    ({**VALID, "slug": ""}, "slug"),
    ({**VALID, "slug": "s" * 256}, "slug"),
    ({**VALID, "slug": 12}, "slug"),
    ({**VALID, "configuration": []}, "configuration"),
    ({**VALID, "configuration": "{}"}, "configuration"),
    ({**VALID, "change_description": "c" * 2001}, "change_description"),
    ([VALID], "Expected a dictionary"),
]


@pytest.mark.parametrize(("body", "field"), BAD_CREATE)
def test_create_bad_input_is_400_naming_the_field(owner, integration, body, field):
    response = owner.client.post(url(integration), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["message"]
    assert not UseCase.objects.exists()


BAD_UPDATE = [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"enabled": "false"}, "enabled"),
    ({"enabled": None}, "enabled"),
    ({"type": "sideways"}, "type"),
    ({"slug": "Bad Slug"}, "slug"),
    ({"configuration": 3}, "configuration"),
    ({"change_description": ["x"]}, "change_description"),
    ("text", "Expected a dictionary"),
]


@pytest.mark.parametrize(("body", "field"), BAD_UPDATE)
def test_update_bad_input_is_400_and_writes_nothing(owner, integration, body, field):
    use_case = UseCaseFactory(integration=integration)
    response = owner.client.put(url(integration, use_case), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert not UseCaseHistory.objects.exists()
    assert UseCase.objects.get(pk=use_case.pk).updated_at == use_case.updated_at
