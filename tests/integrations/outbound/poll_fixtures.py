"""A stream with a blocked head and a dead-lettered message, built through the services (UI tests)."""
from datetime import timedelta

from django.utils import timezone

from integrations.models import OutboundStream
from integrations.outbound.services import catalog as outbound
from integrations.outbound.services import stream as outbound_stream
from tests.factories import IntegrationFactory, UseCaseFactory


def poll_use_case(integration, event, name, **delivery):
    return UseCaseFactory(organization=integration.organization, integration=integration, type="outbound",
                          name=name, configuration={
                              "event_catalog_event": event,
                              "mappings": [{"id": "8e0d3c55-96a4-4d8a-9d6c-0d6f8f0d3b11", "name": "pull",
                                            "enabled": True, "delivery": {"type": "poll", **delivery}}]})


def _lapse(integration):
    OutboundStream.objects.filter(pk=integration.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def troubled_stream(org, name="SAP IS-U"):
    """Integration whose stream has one DLQ entry (``contract.updated`` C-1) and is blocked at
    ``contract.created`` C-2, with C-3 waiting behind it."""
    integration = IntegrationFactory(organization=org, name=name)
    poll_use_case(integration, "contract.updated", "Contract updates", max_delivery_attempts=1)
    poll_use_case(integration, "contract.created", "New contracts", poison_policy="block", max_delivery_attempts=1)
    outbound.publish_event(org, {"event_name": "contract.updated", "payload": {"contract_number": "C-1"}})
    outbound_stream.poll(org, integration.pk, {"limit": 1})
    _lapse(integration)
    outbound_stream.poll(org, integration.pk, {"limit": 1})  # C-1 exhausted: dead-lettered
    outbound.publish_event(org, {"event_name": "contract.created", "payload": {"contract_number": "C-2"}})
    outbound.publish_event(org, {"event_name": "contract.created", "payload": {"contract_number": "C-3"}})
    outbound_stream.poll(org, integration.pk, {"limit": 1})
    _lapse(integration)
    assert outbound_stream.poll(org, integration.pk, {})["messages"] == []  # C-2 blocks
    return integration
