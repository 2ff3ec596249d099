"""Outbound JSONata sees the integration's environment: ``$env`` and the maps helpers work in the
event_filter and in the webhook mapping, built by the one bindings builder (``expression_bindings``)."""

import pytest

from fileproxy.environment import set_environment_value
from integrations.models import OutboundDelivery
from tests.factories import IntegrationFactory

from .helpers import make_webhook, mapping, outbound_use_case, publish

pytestmark = pytest.mark.django_db


def test_event_filter_and_mapping_read_env_and_maps(owner, receiver, django_capture_on_commit_callbacks):
    integration = IntegrationFactory(
        organization=owner.organization,
        environment_config=[{"key": "tenant", "label": "Tenant", "type": "String"}],
        maps=[{"key": "status_codes", "label": "Status", "value": {"active": "A", "cancelled": "C"}}])
    set_environment_value(integration, "tenant", "nord")
    webhook, _ = make_webhook(owner.organization, receiver.url)
    expression = '{"status": $mapValue($env.status_codes, contract.status), "tenant": $env.tenant}'
    use_case = outbound_use_case(owner.organization, [mapping(webhook.id, expression)], integration=integration)
    use_case.configuration = {**use_case.configuration,
                              "event_filter": "$exists($mapValue($env.status_codes, contract.status))"}
    use_case.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = publish(owner, payload={"contract": {"status": "active"}})
        skipped = publish(owner, payload={"contract": {"status": "unknown"}})
    assert [d["use_case_id"] for d in sent.json()["deliveries"]] == [str(use_case.id)]
    assert skipped.json()["deliveries"] == [] and skipped.json()["skipped"][0]["code"] == "EVENT_FILTERED"
    [delivery] = OutboundDelivery.objects.filter(organization=owner.organization)
    assert delivery.payload == {"status": "A", "tenant": "nord"}
    assert receiver.requests[0].json() == {"status": "A", "tenant": "nord"}


def test_poll_transform_reads_maps(owner, django_capture_on_commit_callbacks):
    from .poll_helpers import create_integration, create_poll_use_case, poll, poll_mapping
    from .poll_helpers import publish as publish_event

    integration_id = create_integration(owner)
    owner.client.put(f"/v1/integrations/{integration_id}", {"maps": [
        {"key": "codes", "label": "Codes", "value": {"C-7": "seven"}}]}, format="json")
    mapping = {**poll_mapping(), "jsonata_expression": '{"code": $mapValue($env.codes, contract_number)}'}
    create_poll_use_case(owner, integration_id, mapping=mapping)
    with django_capture_on_commit_callbacks(execute=True):
        publish_event(owner, contract_number="C-7")
    [message] = poll(owner, integration_id).json()["messages"]
    assert message["payload"] == {"code": "seven"}

