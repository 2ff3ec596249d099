"""/openapi.json documents the inbound operations under the contract's operationIds, paths and methods."""
import pytest

from tests.integrations.setup.test_config_openapi import operations
from tests.spec import load_spec

pytestmark = pytest.mark.django_db

INBOUND_OPERATIONS = {
    "processErpUpdatesEvents", "processErpUpdatesEventsV2", "processErpUpdatesEventsV3", "queryEvents",
    "replayEvents", "queryInboundMonitoringEvents", "acknowledgeTracking",
}


def test_inbound_operations_match_the_contract(client):
    schema = client.get("/openapi.json?format=json").json()
    ours = operations(schema)
    contract = operations(load_spec())
    for operation_id in INBOUND_OPERATIONS:
        assert ours.get(operation_id) == contract[operation_id], operation_id
