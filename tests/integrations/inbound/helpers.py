"""Builders for inbound event requests."""
import json

from tests.factories import IntegrationFactory, UseCaseFactory


def v3_event(**overrides):
    event = {
        "event_name": "CustomerChanged",
        "timestamp": "2025-05-01T08:30:00Z",
        "format": "json",
        "payload": json.dumps({"customerId": "C-1", "firstName": "Ada"}),
    }
    event.update(overrides)
    return {k: v for k, v in event.items() if v is not None}


def v2_event(**overrides):
    event = {
        "event_type": "UPDATE",
        "object_type": "CustomerChanged",
        "timestamp": "2025-05-01T08:30:00Z",
        "format": "json",
        "payload": {"customerId": "C-1", "firstName": "Ada"},
    }
    event.update(overrides)
    return {k: v for k, v in event.items() if v is not None}


def integration_with_use_case(organization, **use_case):
    integration = IntegrationFactory(organization=organization)
    use_case.setdefault("name", "CustomerChanged")
    use_case.setdefault("slug", "customer-changed")
    uc = UseCaseFactory(integration=integration, **use_case)
    return integration, uc


def post_v3(persona, integration, events, **extra):
    body = {"integration_id": str(integration.id), "events": events, **extra}
    return persona.client.post("/v3/erp/updates/events", body, format="json")
