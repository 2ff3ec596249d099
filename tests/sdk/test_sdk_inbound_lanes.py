"""The official @epilot/sdk (integration-toolkit client) drives simulateDirect and v3 events with group_id and
correlation_id; bad direct payloads answer the DIRECT_* codes with paths (run_inbound_lanes.mjs)."""
import json
import subprocess
from types import SimpleNamespace

import pytest

from entities.models import Entity
from integrations.models import ErpEvent
from monitoring.models import InboundMonitoringEvent
from tests.conftest import make_api_persona
from tests.sdk.test_sdk_config import HERE, _node_or_skip
from tests.spec import assert_matches_contract

SCRIPT = HERE / "run_inbound_lanes.mjs"


@pytest.mark.django_db(transaction=True)
def test_sdk_drives_direct_mode_groups_and_correlation_ids(live_server):
    node = _node_or_skip()
    persona = make_api_persona()
    result = subprocess.run([node, str(SCRIPT), live_server.url, persona.token], cwd=HERE, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"SDK run failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    calls = json.loads(result.stdout.strip().splitlines()[-1])
    for c in calls:
        response = SimpleNamespace(status_code=c["status"], json=lambda body=c["body"]: body)
        direct = (c["body"].get("configuration") or {}).get("direct") if isinstance(c["body"], dict) else None
        # a direct use case's allow-list entries have no fields, which only v1.33 allows (v0.46 cannot express it)
        assert_matches_contract(c["operationId"], response, versions=["1.33"] if direct else None)
    by_op: dict[str, list] = {}
    for c in calls:
        by_op.setdefault(c["operationId"], []).append(c["body"])

    valid, invalid = by_op["simulateDirect"]
    assert valid["valid"] is True and [u["entity_slug"] for u in valid["entity_updates"]] == ["contact", "contract"]
    assert invalid["valid"] is False
    assert [(e["code"], e["message"].split(":")[0], e.get("operation_index")) for e in invalid["errors"]] == [
        ("DIRECT_VERSION_UNSUPPORTED", "payload.version", None),
        ("DIRECT_ENTITY_NOT_ALLOWED", "payload.operations[0].entity_slug", 0),
        ("DIRECT_PAYLOAD_INVALID", "payload.operations[1].colour", 1),
    ]

    accepted, missing = by_op["processErpUpdatesEventsV3"]
    assert [r["status"] for r in accepted["results"]] == ["success"] * 3
    assert missing["code"] == "INTEGRATION_NOT_FOUND"
    direct_id, mapped_id, bad_id = (r["event_id"] for r in accepted["results"])
    events = {str(e.id): e for e in ErpEvent.objects.filter(pk__in=[direct_id, mapped_id, bad_id])}
    assert (events[direct_id].group_id, events[direct_id].correlation_id) == ("customer-SDK-1", "sdk-direct-1")
    assert (events[mapped_id].group_id, events[mapped_id].correlation_id) == ("customer-SDK-1-names", "sdk-request")
    assert [events[i].status for i in (direct_id, mapped_id, bad_id)] == ["processed", "processed", "failed"]
    [bad_row] = InboundMonitoringEvent.objects.filter(event_id=bad_id)
    assert bad_row.error_code == "DIRECT_ENTITY_NOT_ALLOWED" and "payload.operations[0]" in bad_row.error_message
    assert set(InboundMonitoringEvent.objects.filter(event_id=direct_id).values_list("correlation_id", flat=True)) \
        == {"sdk-direct-1"}
    contact = Entity.objects.get(organization=persona.organization, schema="contact")
    assert contact.attributes == {"customer_number": "SDK-1", "first_name": "Ada", "last_name": "Lovelace"}
    contract = Entity.objects.get(organization=persona.organization, schema="contract")
    assert contract.attributes["customer"]["$relation"][0]["entity_id"] == str(contact.id)

    by_use_case, by_correlation, by_mapped = by_op["queryEvents"]
    assert {e["event_id"] for e in by_use_case["data"]} == {direct_id, bad_id}
    assert [e["event_id"] for e in by_correlation["data"]] == [direct_id]
    assert [(e["event_id"], e["use_case_id"], e["group_id"]) for e in by_mapped["data"]] == [
        (mapped_id, events[mapped_id].use_case_id and str(events[mapped_id].use_case_id), "customer-SDK-1-names")]
    [replay] = by_op["replayEvents"]
    assert replay["replayed"] == 1 and [r["status"] for r in replay["results"]] == ["queued", "not_found"]
