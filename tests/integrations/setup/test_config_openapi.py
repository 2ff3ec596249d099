"""/openapi.json documents the configuration operations under the contract's operationIds and paths."""
import pytest

from tests.spec import load_spec

pytestmark = pytest.mark.django_db

CONFIG_OPERATIONS = {
    "listIntegrations", "createIntegration", "getIntegration", "updateIntegration", "deleteIntegration",
    "listUseCases", "createUseCase", "getUseCase", "updateUseCase", "deleteUseCase", "listUseCaseHistory",
    "listIntegrationsV2", "createIntegrationV2", "getIntegrationV2", "updateIntegrationV2", "deleteIntegrationV2",
    "setIntegrationAppMapping", "deleteIntegrationAppMapping",
}


def operations(schema):
    return {
        op["operationId"]: (method, path)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if isinstance(op, dict) and "operationId" in op
    }


def test_our_schema_matches_the_contract_paths_and_methods(client):
    ours = operations(client.get("/openapi.json?format=json").json())
    contract = operations(load_spec())
    for operation_id in CONFIG_OPERATIONS:
        assert ours.get(operation_id) == contract[operation_id], operation_id
