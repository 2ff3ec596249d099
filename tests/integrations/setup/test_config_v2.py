"""v2 integrations with embedded use cases: create, get, list, declarative PUT sync, delete."""
import uuid

import pytest

from integrations.models import Integration, UseCase, UseCaseHistory
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


def test_create_with_embedded_use_cases(owner):
    chosen = str(uuid.uuid4())
    response = owner.client.post(
        "/v2/integrations",
        {
            "name": "ERP",
            "use_cases": [
                {"name": "Customers", "type": "inbound", "enabled": True},
                {"id": chosen, "name": "Orders", "slug": "orders", "type": "outbound", "enabled": False,
                 "change_description": "first"},
                {"name": "Files", "type": "file_proxy", "enabled": True},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert_matches_contract("createIntegrationV2", response)
    body = response.json()
    assert [(u["name"], u["slug"], u["type"]) for u in body["use_cases"]] == [
        ("Customers", "customers", "inbound"),
        ("Orders", "orders", "outbound"),
        ("Files", "files", "file_proxy"),
    ]
    assert body["use_cases"][1]["id"] == chosen
    assert all(u["integrationId"] == body["id"] for u in body["use_cases"])


def test_create_without_use_cases_embeds_an_empty_list(owner):
    response = owner.client.post("/v2/integrations", {"name": "Bare"}, format="json")
    assert response.status_code == 201
    assert_matches_contract("createIntegrationV2", response)
    assert response.json()["use_cases"] == []


def test_create_is_all_or_nothing(owner):
    response = owner.client.post(
        "/v2/integrations",
        {"name": "ERP", "use_cases": [{"name": "A", "slug": "same", "type": "inbound", "enabled": True},
                                      {"name": "B", "slug": "same", "type": "inbound", "enabled": True}]},
        format="json",
    )
    assert response.status_code == 400
    assert "use_cases[1].slug" in response.json()["message"]
    assert not Integration.objects.exists() and not UseCase.objects.exists()


def test_list_and_get_embed_use_cases(owner):
    integration = IntegrationFactory(organization=owner.organization)
    use_case = UseCaseFactory(integration=integration)
    IntegrationFactory(organization=owner.organization)
    listed = owner.client.get("/v2/integrations")
    assert listed.status_code == 200
    assert_matches_contract("listIntegrationsV2", listed)
    by_id = {i["id"]: i for i in listed.json()["integrations"]}
    assert [u["id"] for u in by_id[str(integration.id)]["use_cases"]] == [str(use_case.id)]
    detail = owner.client.get(f"/v2/integrations/{integration.id}")
    assert detail.status_code == 200
    assert_matches_contract("getIntegrationV2", detail)
    assert detail.json()["use_cases"][0]["configuration"] == use_case.configuration


def test_put_syncs_declaratively(owner):
    integration = IntegrationFactory(organization=owner.organization, name="Old")
    kept = UseCaseFactory(integration=integration, name="Kept", enabled=True)
    unchanged = UseCaseFactory(integration=integration, name="Unchanged")
    removed = UseCaseFactory(integration=integration, name="Removed")
    new_id = str(uuid.uuid4())
    response = owner.client.put(
        f"/v2/integrations/{integration.id}",
        {
            "name": "New name",
            "use_cases": [
                {"id": str(kept.id), "name": "Kept", "type": "inbound", "enabled": False, "change_description": "off"},
                {"id": str(unchanged.id), "name": "Unchanged", "type": "inbound", "enabled": True},
                {"id": new_id, "name": "With id", "type": "outbound", "enabled": True},
                {"name": "Without id", "type": "file_proxy", "enabled": True},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert_matches_contract("updateIntegrationV2", response)
    body = response.json()
    assert body["name"] == "New name"
    states = {u["name"]: u for u in body["use_cases"]}
    assert set(states) == {"Kept", "Unchanged", "With id", "Without id"}
    assert states["Kept"]["enabled"] is False and states["Kept"]["id"] == str(kept.id)
    assert states["Kept"]["configuration"] == kept.configuration  # absent configuration is kept
    assert states["With id"]["id"] == new_id
    assert not UseCase.objects.filter(pk=removed.pk).exists()
    # the changed use case got a snapshot, the restated one did not
    assert UseCaseHistory.objects.filter(use_case=kept).count() == 1
    assert UseCaseHistory.objects.filter(use_case=unchanged).count() == 0
    assert UseCaseHistory.objects.get(use_case=kept).changed_by == ""  # a token without a user


def test_put_with_empty_list_deletes_all_and_without_list_keeps_them(owner):
    integration = IntegrationFactory(organization=owner.organization)
    UseCaseFactory(integration=integration)
    kept = owner.client.put(f"/v2/integrations/{integration.id}", {"name": "Same"}, format="json")
    assert kept.status_code == 200 and len(kept.json()["use_cases"]) == 1
    cleared = owner.client.put(f"/v2/integrations/{integration.id}", {"name": "Same", "use_cases": []}, format="json")
    assert cleared.status_code == 200 and cleared.json()["use_cases"] == []
    assert not UseCase.objects.filter(integration=integration).exists()


def test_put_freed_slug_can_be_reused_by_a_new_use_case(owner):
    integration = IntegrationFactory(organization=owner.organization)
    UseCaseFactory(integration=integration, slug="orders")
    response = owner.client.put(
        f"/v2/integrations/{integration.id}",
        {"name": "x", "use_cases": [{"name": "Orders v2", "slug": "orders", "type": "inbound", "enabled": True}]},
        format="json",
    )
    assert response.status_code == 200
    assert [u["slug"] for u in response.json()["use_cases"]] == ["orders"]


def test_put_derived_slug_avoids_slugs_claimed_in_the_same_request(owner):
    integration = IntegrationFactory(organization=owner.organization)
    response = owner.client.put(
        f"/v2/integrations/{integration.id}",
        {"name": "x", "use_cases": [
            {"name": "Orders", "type": "inbound", "enabled": True},
            {"name": "Other", "slug": "orders", "type": "inbound", "enabled": True},
        ]},
        format="json",
    )
    assert response.status_code == 200
    assert [u["slug"] for u in response.json()["use_cases"]] == ["orders-2", "orders"]


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        ([{"name": "A", "type": "outbound", "enabled": True, "id": "KEEP"}], "use_cases[0].type"),
        ([{"name": "A", "type": "inbound", "enabled": True, "id": "KEEP", "slug": "changed"}], "use_cases[0].slug"),
        ([{"name": "A", "type": "inbound", "enabled": True, "id": "KEEP"},
          {"name": "B", "type": "inbound", "enabled": True, "id": "KEEP"}], "use_cases[1].id"),
        ([{"name": "A", "type": "inbound", "enabled": True, "id": "FOREIGN"}], "use_cases[0].id"),
        ([{"name": "A", "type": "inbound"}], "use_cases[0].enabled"),
        ([{"type": "inbound", "enabled": True}], "use_cases[0].name"),
        ([{"name": "A", "type": "bogus", "enabled": True}], "use_cases[0].type"),
        ([{"name": "A", "type": "inbound", "enabled": True, "id": "not-a-uuid"}], "use_cases[0].id"),
        ([{"name": "A", "type": "inbound", "enabled": True, "configuration": []}], "use_cases[0].configuration"),
        ("nope", "use_cases"),
        ([1], "use_cases[0]"),
    ],
)
def test_put_bad_input_is_400_and_changes_nothing(owner, other_org, items, fragment):
    integration = IntegrationFactory(organization=owner.organization, name="Before")
    keep = UseCaseFactory(integration=integration, slug="keep", type="inbound")
    foreign = UseCaseFactory(integration__organization=other_org.organization)
    if isinstance(items, list):
        ids = {"KEEP": str(keep.id), "FOREIGN": str(foreign.id)}
        items = [{**i, "id": ids.get(i["id"], i["id"])} if isinstance(i, dict) and "id" in i else i for i in items]
    response = owner.client.put(
        f"/v2/integrations/{integration.id}", {"name": "After", "use_cases": items}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert fragment in response.json()["message"]
    integration.refresh_from_db()
    assert integration.name == "Before"
    assert list(UseCase.objects.filter(integration=integration)) == [keep]
    assert not UseCaseHistory.objects.exists()


def test_put_requires_name_and_an_existing_integration(owner):
    integration = IntegrationFactory(organization=owner.organization)
    missing_name = owner.client.put(f"/v2/integrations/{integration.id}", {"use_cases": []}, format="json")
    assert missing_name.status_code == 400 and "name" in missing_name.json()["message"]
    unknown = owner.client.put(f"/v2/integrations/{uuid.uuid4()}", {"name": "x"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "NOT_FOUND"
    assert Integration.objects.count() == 1


def test_delete_v2(owner):
    integration = IntegrationFactory(organization=owner.organization)
    UseCaseFactory(integration=integration)
    response = owner.client.delete(f"/v2/integrations/{integration.id}")
    assert response.status_code == 200
    assert_matches_contract("deleteIntegrationV2", response)
    assert not Integration.objects.exists() and not UseCase.objects.exists()
    assert owner.client.delete(f"/v2/integrations/{integration.id}").status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_malformed_id_is_404(owner, method):
    response = getattr(owner.client, method)("/v2/integrations/zzz", {"name": "x"}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
