"""Integration maps on the v1 and v2 payloads: stored, returned, validated field by field."""
import pytest

from integrations.models import Integration
from tests.factories import IntegrationFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

SALUTATIONS = {"key": "salutations", "label": "Salutation codes", "description": "SAP ANRED",
               "value": {"Mr.": 1, "Ms. / Mrs.": 2, "Company": None, "Dr.": "3", "vip": True}}


def test_maps_round_trip_on_v1_and_v2(owner):
    created = owner.client.post("/v1/integrations", {"name": "SAP", "maps": [SALUTATIONS]}, format="json")
    assert created.status_code == 201, created.json()
    assert_matches_contract("createIntegration", created)
    assert created.json()["maps"] == [SALUTATIONS]
    integration_id = created.json()["id"]
    v2 = owner.client.get(f"/v2/integrations/{integration_id}")
    assert_matches_contract("getIntegrationV2", v2)
    assert v2.json()["maps"] == [SALUTATIONS]
    replaced = owner.client.put(f"/v2/integrations/{integration_id}",
                                {"name": "SAP", "maps": [{**SALUTATIONS, "value": {"Herr": 1}}]}, format="json")
    assert replaced.status_code == 200, replaced.json()
    assert Integration.objects.get(pk=integration_id).maps[0]["value"] == {"Herr": 1}
    untouched = owner.client.put(f"/v1/integrations/{integration_id}", {"description": "x"}, format="json")
    assert untouched.json()["maps"][0]["value"] == {"Herr": 1}  # partial merge keeps the maps


def test_integration_without_maps_returns_an_empty_list(owner):
    integration = IntegrationFactory(organization=owner.organization)
    response = owner.client.get(f"/v1/integrations/{integration.id}")
    assert_matches_contract("getIntegration", response)
    assert response.json()["maps"] == []


@pytest.mark.parametrize(("maps", "path"), [
    ("nope", "maps"),
    ([{"key": "Bad Key", "label": "x", "value": {}}], "maps[0].key"),
    ([{"label": "x", "value": {}}], "maps[0].key"),
    ([{"key": "a", "label": "", "value": {}}], "maps[0].label"),
    ([{"key": "a", "label": "x" * 256, "value": {}}], "maps[0].label"),
    ([{"key": "a", "label": "x", "description": "d" * 1001, "value": {}}], "maps[0].description"),
    ([{"key": "a", "label": "x"}], "maps[0].value"),
    ([{"key": "a", "label": "x", "value": [1]}], "maps[0].value"),
    ([{"key": "a", "label": "x", "value": {"nested": {"b": 1}}}], "maps[0].value.nested"),
    ([{"key": "a", "label": "x", "value": {"k": "v" * 33000}}], "maps[0].value"),
    ([{"key": "a", "label": "x", "value": {}}, {"key": "a", "label": "y", "value": {}}], "maps[1].key"),
    ([{"key": "a", "label": "x", "value": {}, "colour": "red"}], "maps[0].colour"),
    ([{"key": f"m{i}", "label": "x", "value": {}} for i in range(51)], "maps"),
])
def test_bad_maps_are_400_naming_the_field_and_write_nothing(owner, maps, path):
    integration = IntegrationFactory(organization=owner.organization, maps=[SALUTATIONS])
    response = owner.client.put(f"/v1/integrations/{integration.id}", {"name": "renamed", "maps": maps},
                                format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR" and path in body["message"], body
    integration.refresh_from_db()
    assert integration.maps == [SALUTATIONS] and integration.name != "renamed"


def test_a_map_key_may_not_shadow_an_environment_variable(owner):
    response = owner.client.post("/v1/integrations", {
        "name": "SAP", "environment_config": [{"key": "salutations", "label": "S", "type": "String"}],
        "maps": [SALUTATIONS]}, format="json")
    assert response.status_code == 400
    assert "maps[0].key" in response.json()["message"]
    assert not Integration.objects.filter(organization=owner.organization).exists()
