"""/openapi.json documents the outbound operations under the contract's ids, paths and methods, and our
self-hosted extensions (webhooks, event catalog, deliveries) alongside them."""
import pytest

from tests.integrations.setup.test_config_openapi import operations
from tests.spec import load_spec

pytestmark = pytest.mark.django_db

CONTRACT_OPERATIONS = {"getOutboundStatus", "queryOutboundMonitoringEvents", "triggerErp"}
EXTENSIONS = {
    "listWebhooks": ("get", "/v1/webhooks"),
    "createWebhook": ("post", "/v1/webhooks"),
    "getWebhook": ("get", "/v1/webhooks/{webhookId}"),
    "updateWebhook": ("put", "/v1/webhooks/{webhookId}"),
    "deleteWebhook": ("delete", "/v1/webhooks/{webhookId}"),
    "rotateWebhookSecret": ("post", "/v1/webhooks/{webhookId}/rotate-secret"),
    "publishCatalogEvent": ("post", "/v1/event-catalog/events"),
    "getOutboundDelivery": ("get", "/v1/outbound/deliveries/{deliveryId}"),
    "resendOutboundDelivery": ("post", "/v1/outbound/deliveries/{deliveryId}/resend"),
}


def test_outbound_operations_match_the_contract(client):
    ours = operations(client.get("/openapi.json?format=json").json())
    contract = operations(load_spec())
    for operation_id in CONTRACT_OPERATIONS:
        assert ours.get(operation_id) == contract[operation_id], operation_id
    for operation_id, route in EXTENSIONS.items():
        assert ours.get(operation_id) == route, operation_id
