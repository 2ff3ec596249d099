"""The four documentation page operations: upsert semantics, invariants, scopes, isolation, cascade."""
import uuid

import pytest
from rest_framework.test import APIClient

from erpintegration import scopes
from erpintegration.tokens import issue_token
from integrations.models import DocumentationPage
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


def base(integration):
    return f"/v1/integrations/{integration.id}/documentation"


def test_general_and_use_case_pages_round_trip(owner):
    integration = IntegrationFactory(organization=owner.organization)
    use_case = UseCaseFactory(integration=integration)
    created = owner.client.put(f"{base(integration)}/general", {"title": "Overview", "content": "# SAP\nHello"},
                               format="json")
    assert created.status_code == 200, created.json()
    assert_matches_contract("upsertDocumentationPage", created)
    page = created.json()
    assert page["id"] == "general" and page["scope"] == "integration" and "use_case_id" not in page
    assert page["created_by"] == owner.token_id and page["updated_by"] == owner.token_id
    uc_page = owner.client.put(f"{base(integration)}/{str(use_case.id).upper()}",
                               {"title": "Customers", "content": ""}, format="json")
    assert uc_page.status_code == 200, uc_page.json()
    assert uc_page.json()["id"] == str(use_case.id) and uc_page.json()["use_case_id"] == str(use_case.id)
    assert uc_page.json()["scope"] == "use_case"

    updated = owner.client.put(f"{base(integration)}/general", {"title": "Overview 2", "content": "new"},
                               format="json")
    assert updated.json()["created_at"] == page["created_at"] and updated.json()["title"] == "Overview 2"
    assert DocumentationPage.objects.filter(integration=integration).count() == 2  # upsert, not a new page

    listed = owner.client.get(base(integration))
    assert_matches_contract("listDocumentationPages", listed)
    assert [p["id"] for p in listed.json()["pages"]] == ["general", str(use_case.id)]
    assert all("content" not in p for p in listed.json()["pages"])

    got = owner.client.get(f"{base(integration)}/general")
    assert_matches_contract("getDocumentationPage", got)
    assert got.json()["content"] == "new"

    deleted = owner.client.delete(f"{base(integration)}/general")
    assert deleted.status_code == 200 and deleted.json()["message"]
    assert_matches_contract("deleteDocumentationPage", deleted)
    assert owner.client.get(f"{base(integration)}/general").status_code == 404
    assert owner.client.delete(f"{base(integration)}/general").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"content": "x"}, "title"),
    ({"title": "", "content": "x"}, "title"),
    ({"title": "t" * 151, "content": "x"}, "title"),
    ({"title": 5, "content": "x"}, "title"),
    ({"title": "t"}, "content"),
    ({"title": "t", "content": "c" * 100_001}, "content"),
    ({"title": "t", "content": ["x"]}, "content"),
])
def test_bad_pages_are_400_naming_the_field_and_write_nothing(owner, body, field):
    integration = IntegrationFactory(organization=owner.organization)
    response = owner.client.put(f"{base(integration)}/general", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith(field) or f"; {field}" in response.json()["message"]
    assert not DocumentationPage.objects.exists()


def test_use_case_pages_need_a_use_case_of_this_integration(owner):
    integration = IntegrationFactory(organization=owner.organization)
    elsewhere = UseCaseFactory(integration=IntegrationFactory(organization=owner.organization))
    for doc_id in (str(elsewhere.id), str(uuid.uuid4())):
        response = owner.client.put(f"{base(integration)}/{doc_id}", {"title": "t", "content": ""}, format="json")
        assert response.status_code == 404
    assert owner.client.put(f"{base(integration)}/not-a-page", {"title": "t", "content": ""},
                            format="json").status_code == 404
    assert not DocumentationPage.objects.exists()


def test_another_organisation_sees_404(owner, other_org):
    integration = IntegrationFactory(organization=owner.organization)
    owner.client.put(f"{base(integration)}/general", {"title": "Mine", "content": "secret"}, format="json")
    assert other_org.client.get(base(integration)).status_code == 404
    assert other_org.client.get(f"{base(integration)}/general").status_code == 404
    assert other_org.client.put(f"{base(integration)}/general", {"title": "x", "content": "y"},
                                format="json").status_code == 404
    assert other_org.client.delete(f"{base(integration)}/general").status_code == 404
    assert DocumentationPage.objects.get().title == "Mine"


def test_writes_need_the_manage_scope(owner):
    integration = IntegrationFactory(organization=owner.organization)
    issued = issue_token(owner.organization, "reader", scopes=[scopes.VIEW])
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert reader.get(base(integration)).status_code == 200
    forbidden = reader.put(f"{base(integration)}/general", {"title": "t", "content": ""}, format="json")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "FORBIDDEN"
    assert_matches_contract("upsertDocumentationPage", forbidden)
    owner.client.put(f"{base(integration)}/general", {"title": "t", "content": ""}, format="json")
    assert reader.delete(f"{base(integration)}/general").status_code == 403
    consumer = APIClient()
    consumer.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(owner.organization, 'c', scopes=[scopes.CONSUME]).plaintext}")
    assert consumer.get(base(integration)).status_code == 403


def test_pages_go_with_their_use_case_and_integration(owner):
    integration = IntegrationFactory(organization=owner.organization)
    use_case = UseCaseFactory(integration=integration)
    owner.client.put(f"{base(integration)}/general", {"title": "g", "content": ""}, format="json")
    owner.client.put(f"{base(integration)}/{use_case.id}", {"title": "u", "content": ""}, format="json")
    assert owner.client.delete(f"/v1/integrations/{integration.id}/use-cases/{use_case.id}").status_code == 200
    assert list(DocumentationPage.objects.values_list("doc_id", flat=True)) == ["general"]
    assert owner.client.delete(f"/v1/integrations/{integration.id}").status_code == 200
    assert not DocumentationPage.objects.exists()
