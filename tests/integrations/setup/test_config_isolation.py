"""Every configuration operation: authentication required, and another organisation's data is a 404."""
import uuid

import pytest

from erpintegration.tokens import revoke_token
from integrations.models import AppMapping, Integration, UseCase
from integrations.setup.services import use_cases as services
from tests.factories import AppMappingFactory, IntegrationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db

PAIR = {"app_id": str(uuid.uuid4()), "component_id": str(uuid.uuid4())}


def operations(integration_id, use_case_id):
    """(operationId, method, path, body) for all 18 operations."""
    i, u = integration_id, use_case_id
    use_case_body = {"name": "x", "type": "inbound", "enabled": True}
    return [
        ("listIntegrations", "get", "/v1/integrations", None),
        ("createIntegration", "post", "/v1/integrations", {"name": "x"}),
        ("getIntegration", "get", f"/v1/integrations/{i}", None),
        ("updateIntegration", "put", f"/v1/integrations/{i}", {"name": "hijacked"}),
        ("deleteIntegration", "delete", f"/v1/integrations/{i}", None),
        ("listUseCases", "get", f"/v1/integrations/{i}/use-cases", None),
        ("createUseCase", "post", f"/v1/integrations/{i}/use-cases", use_case_body),
        ("getUseCase", "get", f"/v1/integrations/{i}/use-cases/{u}", None),
        ("updateUseCase", "put", f"/v1/integrations/{i}/use-cases/{u}", {"name": "hijacked"}),
        ("deleteUseCase", "delete", f"/v1/integrations/{i}/use-cases/{u}", None),
        ("listUseCaseHistory", "get", f"/v1/integrations/{i}/use-cases/{u}/history", None),
        ("listIntegrationsV2", "get", "/v2/integrations", None),
        ("createIntegrationV2", "post", "/v2/integrations", {"name": "x"}),
        ("getIntegrationV2", "get", f"/v2/integrations/{i}", None),
        ("updateIntegrationV2", "put", f"/v2/integrations/{i}", {"name": "hijacked", "use_cases": []}),
        ("deleteIntegrationV2", "delete", f"/v2/integrations/{i}", None),
        ("setIntegrationAppMapping", "put", f"/v1/integrations/{i}/app-mapping", {**PAIR, "overwrite": True}),
        ("deleteIntegrationAppMapping", "delete", f"/v1/integrations/{i}/app-mapping", PAIR),
    ]


OPERATION_IDS = [op[0] for op in operations("i", "u")]
SCOPED = [op for op in OPERATION_IDS if op not in ("listIntegrations", "createIntegration", "listIntegrationsV2",
                                                   "createIntegrationV2")]


def find(operation_id, integration_id, use_case_id):
    return next(op for op in operations(integration_id, use_case_id) if op[0] == operation_id)


@pytest.fixture
def theirs(other_org):
    integration = IntegrationFactory(organization=other_org.organization, name="Theirs")
    use_case = UseCaseFactory(integration=integration, name="Their use case")
    services.update_use_case(other_org.organization, use_case, {"enabled": False})
    AppMappingFactory(integration=integration, **PAIR)
    return integration, use_case


@pytest.mark.parametrize("operation_id", SCOPED)
def test_other_orgs_objects_are_404_and_untouched(owner, theirs, operation_id):
    integration, use_case = theirs
    _, method, path, body = find(operation_id, integration.id, use_case.id)
    response = getattr(owner.client, method)(path, body, format="json")
    assert response.status_code == 404, (operation_id, response.content)
    assert response.json()["code"] == "NOT_FOUND"
    assert "Theirs" not in response.content.decode()
    integration.refresh_from_db()
    use_case.refresh_from_db()
    assert integration.name == "Theirs" and use_case.name == "Their use case"
    assert AppMapping.objects.get(**PAIR).integration == integration


def test_own_integration_with_their_use_case_is_404(owner, theirs):
    mine = IntegrationFactory(organization=owner.organization)
    _, their_use_case = theirs
    for operation_id in ("getUseCase", "updateUseCase", "deleteUseCase", "listUseCaseHistory"):
        _, method, path, body = find(operation_id, mine.id, their_use_case.id)
        assert getattr(owner.client, method)(path, body, format="json").status_code == 404, operation_id
    assert UseCase.objects.filter(pk=their_use_case.pk).exists()


def test_lists_never_leak(owner, theirs):
    mine = IntegrationFactory(organization=owner.organization)
    v1 = owner.client.get("/v1/integrations").json()["integrations"]
    v2 = owner.client.get("/v2/integrations").json()["integrations"]
    assert [i["id"] for i in v1] == [i["id"] for i in v2] == [str(mine.id)]
    assert all(i["orgId"] == owner.organization.id for i in v1 + v2)


def test_created_objects_belong_to_the_callers_org(owner, other_org):
    created = owner.client.post("/v2/integrations", {"name": "Mine", "use_cases": [
        {"name": "u", "type": "inbound", "enabled": True}]}, format="json").json()
    assert Integration.objects.get(pk=created["id"]).organization == owner.organization
    assert UseCase.objects.get(pk=created["use_cases"][0]["id"]).organization == owner.organization
    assert other_org.client.get(f"/v2/integrations/{created['id']}").status_code == 404


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
@pytest.mark.parametrize("header", [None, "Bearer api_unknown.secret", "Token abc"])
def test_every_operation_requires_a_valid_token(anonymous, owner, operation_id, header):
    integration = IntegrationFactory(organization=owner.organization)
    use_case = UseCaseFactory(integration=integration)
    if header:
        anonymous.credentials(HTTP_AUTHORIZATION=header)
    _, method, path, body = find(operation_id, integration.id, use_case.id)
    response = getattr(anonymous, method)(path, body, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert Integration.objects.count() == 1 and Integration.objects.get().name == integration.name


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_revoked_token_is_401(owner, operation_id):
    integration = IntegrationFactory(organization=owner.organization)
    use_case = UseCaseFactory(integration=integration)
    revoke_token(owner.organization, owner.token_id)
    _, method, path, body = find(operation_id, integration.id, use_case.id)
    response = getattr(owner.client, method)(path, body, format="json")
    assert response.status_code == 401 and response.json()["code"] == "UNAUTHORIZED"
