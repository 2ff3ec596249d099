"""The official @epilot/sdk (integration-toolkit client) drives the 5 pollable-outbound operations:
poll, ack (accepted, stale_lease, out_of_order, not_found), lapsed leases, dead_letter and block policies,
DLQ listing, redrive and unblock. Every response is checked against the contract."""
import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from integrations.models import OutboundStream
from integrations.outbound.services import catalog as outbound
from tests.conftest import make_api_persona
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.spec import assert_matches_contract

from .test_sdk_config import _node_or_skip

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "run_poll_operations.mjs"
LEASE_SECONDS = 1
OPERATIONS = {"pollOutboundMessages", "ackOutboundMessages", "listOutboundDlqMessages",
              "redriveOutboundDlqMessages", "unblockOutboundStream"}


def _poll_stream(organization, event_name, **delivery):
    integration = IntegrationFactory(organization=organization)
    UseCaseFactory(organization=organization, integration=integration, type="outbound", configuration={
        "event_catalog_event": event_name,
        "mappings": [{"id": "8e0d3c55-96a4-4d8a-9d6c-0d6f8f0d3b11", "name": "pull", "enabled": True,
                      "delivery": {"type": "poll", **delivery}}],
    })
    OutboundStream.objects.create(integration=integration, organization=organization,
                                  visibility_timeout_seconds=LEASE_SECONDS)
    return integration


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_the_pollable_outbound_operations(live_server):
    node = _node_or_skip()
    persona = make_api_persona()
    org = persona.organization
    dead_letter = _poll_stream(org, "contract.created", max_delivery_attempts=2)
    block = _poll_stream(org, "contract.updated", poison_policy="block", max_delivery_attempts=1)
    for n in range(3):
        outbound.publish_event(org, {"event_name": "contract.created", "payload": {"n": n}})
    for n in range(2):
        outbound.publish_event(org, {"event_name": "contract.updated", "payload": {"n": n}})

    result = subprocess.run(
        [node, str(SCRIPT), live_server.url, persona.token, str(dead_letter.pk), str(block.pk), str(LEASE_SECONDS)],
        cwd=HERE, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"SDK run failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    calls = json.loads(result.stdout.strip().splitlines()[-1])
    assert {c["operationId"] for c in calls} >= OPERATIONS
    for c in calls:
        response = SimpleNamespace(status_code=c["status"], json=lambda body=c["body"]: body)
        versions = ["1.33"] if c["operationId"] == "getOutboundStatus" else None
        assert_matches_contract(c["operationId"], response, versions=versions)
