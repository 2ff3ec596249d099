"""Publish -> deliver -> query through the API, with contract validation of the monitoring rows."""
import pytest

from tests.integrations.outbound.helpers import make_webhook, mapping, outbound_use_case, publish, run_retries
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


def test_deliveries_are_queryable_as_outbound_monitoring_events(owner, receiver, django_capture_on_commit_callbacks):
    receiver.responses = [(500, {"error": "once"})]
    webhook, _ = make_webhook(owner.organization, receiver.url)
    use_case = outbound_use_case(owner.organization, [mapping(webhook.id), mapping("missing-hook")])
    with django_capture_on_commit_callbacks(execute=True):
        event_id = publish(owner).json()["event_id"]
    run_retries()

    response = owner.client.post(f"/v1/integrations/{use_case.integration_id}/monitoring/outbound-events",
                                 {}, format="json")
    assert response.status_code == 200
    assert_matches_contract("queryOutboundMonitoringEvents", response)
    rows = {r["webhook_config_id"]: r for r in response.json()["data"]}
    delivered = rows[str(webhook.id)]
    assert delivered["event_id"] == event_id and delivered["status"] == "succeeded"
    assert delivered["http_response"]["status_code"] == 200 and len(delivered["attempts"]) == 2
    assert delivered["metadata"]["webhook_name"] == webhook.name and delivered["url"] == receiver.url
    assert delivered["payload"]["ack"] == delivered["metadata"]["ack_id"]
    assert rows["missing-hook"]["status"] == "failed" and "not found" in rows["missing-hook"]["error_message"]

    status = owner.client.get(f"/v1/integrations/{use_case.integration_id}/outbound-status")
    assert status.json()["useCases"][0]["status"] == "ok"
