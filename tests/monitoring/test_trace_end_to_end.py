"""One correlation id across inbound processing, the entity write and the outbound delivery it leads to."""
import pytest

from tests.factories import UseCaseFactory
from tests.integrations.inbound.helpers import post_v3, v3_event
from tests.integrations.outbound.conftest import receiver  # noqa: F401 (fixture)
from tests.integrations.outbound.helpers import make_webhook, mapping, outbound_use_case, publish

pytestmark = pytest.mark.django_db


def test_trace_spans_inbound_entity_and_outbound(owner, receiver, django_capture_on_commit_callbacks):  # noqa: F811
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound = outbound_use_case(owner.organization, [mapping(webhook.id)])
    integration = outbound.integration
    UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")
    with django_capture_on_commit_callbacks(execute=True):
        post_v3(owner, integration, [v3_event()], correlation_id="order-42")
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner, correlation_id="order-42")
    trace = owner.client.get(f"/v2/integrations/{integration.id}/monitoring/traces/order-42").json()
    kinds = [(s["use_case_type"], s["level"], s["code"]) for s in trace["spans"]]
    assert kinds == [("inbound", "success", ""), ("outbound", "success", "WEBHOOK_DELIVERED")]
    assert trace["spans"][0]["detail"]["outcomes"][0]["entity_schema"] == "contact"
    assert trace["inbound_event"]["payload"] == {"customerId": "C-1", "firstName": "Ada"}
    assert trace["status"] == "success"
    bad = publish(owner, correlation_id=7)
    assert bad.status_code == 400 and "correlation_id" in bad.json()["message"]
