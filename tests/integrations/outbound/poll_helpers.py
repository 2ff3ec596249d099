"""Builders for pollable-outbound tests: an integration with poll-mode use cases, publishing, polling."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations.models import OutboundStream


def create_integration(persona, name="ERP behind a firewall") -> str:
    response = persona.client.post("/v1/integrations", {"name": name}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def poll_mapping(**delivery) -> dict:
    return {"name": "ERP pull", "enabled": True, "delivery": {"type": "poll", **delivery}}


def create_poll_use_case(persona, integration_id, event="contract.created", name=None, mapping=None, **delivery):
    body = {
        "name": name or f"Poll {event}", "type": "outbound", "enabled": True,
        "configuration": {"event_catalog_event": event, "mappings": [mapping or poll_mapping(**delivery)]},
    }
    response = persona.client.post(f"/v1/integrations/{integration_id}/use-cases", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def publish(persona, event="contract.created", **payload):
    response = persona.client.post("/v1/event-catalog/events", {"event_name": event, "payload": payload},
                                   format="json")
    assert response.status_code in (200, 201, 202), response.json()
    return response.json()


def poll(persona, integration_id, limit=None, expect=200):
    body = {} if limit is None else {"limit": limit}
    response = persona.client.post(f"/v1/integrations/{integration_id}/outbound/messages/poll", body, format="json")
    assert response.status_code == expect, response.json()
    return response


def ack(persona, integration_id, messages, expect=200):
    acks = [{"id": m["id"], "lease_token": m["lease_token"]} for m in messages]
    response = persona.client.post(f"/v1/integrations/{integration_id}/outbound/messages/ack", {"acks": acks},
                                   format="json")
    assert response.status_code == expect, response.json()
    return response


def lapse_lease(integration_id) -> None:
    """Let the visibility timeout elapse (without waiting for it)."""
    OutboundStream.objects.filter(pk=integration_id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
