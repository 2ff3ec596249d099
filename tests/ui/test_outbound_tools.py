"""Outbound without the API: the outbound live simulation, "send test event" on a webhook, and the request
headers on the delivery detail."""
import json

import pytest

from integrations.models import OutboundDelivery
from integrations.outbound.services.catalog import publish_event
from integrations.outbound.services.webhooks import create_webhook
from tests.factories import OrganizationFactory
from tests.integrations.outbound.helpers import (
    mapping,
    outbound_use_case,
    start_receiver,
    verify_standard_webhook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1"]
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 1
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def hook(org, receiver):
    return create_webhook(org, {"name": "SAP PI", "url": receiver.url, "headers": {"Authorization": "Bearer s3cret"}})


def simulate(client, integration, configuration, payload):
    response = client.post(f"/integrations/{integration.pk}/simulate-outbound/",
                           json.dumps({"configuration": json.dumps(configuration), "payload": payload}),
                           content_type="application/json")
    return response.json()


def test_outbound_simulation_shows_body_and_headers(ui_client, org, hook, receiver):
    use_case = outbound_use_case(org, [mapping(hook.webhook.pk, '{"contract": contract_number, "event": _event_name}')])
    body = simulate(ui_client("viewer"), use_case.integration, use_case.configuration, '{"contract_number": "C-7"}')
    assert body["ok"] is True and body["issues"] == []
    html = body["html"]
    assert "&quot;contract&quot;: &quot;C-7&quot;" in html and "contract.created" in html
    assert "webhook-signature" in html and "Authorization" in html
    assert "s3cret" not in html  # custom header values are write-only
    assert receiver.requests == []  # nothing is sent


def test_outbound_simulation_marks_jsonata_errors(ui_client, org, hook):
    use_case = outbound_use_case(org, [mapping(hook.webhook.pk, '{"x": $foo(1)}')])
    body = simulate(ui_client("viewer"), use_case.integration, use_case.configuration, "{}")
    assert body["ok"] is False
    [issue] = body["issues"]
    assert issue["path"] == "configuration.mappings[0].jsonata_expression"
    assert issue["code"] == "T1006" and issue["position"] == 11


def test_outbound_simulation_bad_payload_and_isolation(ui_client, org, hook):
    use_case = outbound_use_case(org, [mapping(hook.webhook.pk)])
    body = simulate(ui_client("viewer"), use_case.integration, use_case.configuration, "[1]")
    assert body["ok"] is False and "payload: must be a JSON object" in body["html"]
    other = ui_client("viewer", organization=OrganizationFactory())
    response = other.post(f"/integrations/{use_case.integration.pk}/simulate-outbound/", "{}",
                          content_type="application/json")
    assert response.status_code == 404


def test_send_test_event(ui_client, hook, receiver):
    response = ui_client("editor").post(f"/webhooks/{hook.webhook.pk}/test/")
    assert response.status_code == 200
    [request] = receiver.requests
    verify_standard_webhook(hook.secret, request.headers, request.body)
    assert request.headers["authorization"] == "Bearer s3cret"
    assert json.loads(request.body)["test"] is True
    html = response.content.decode()
    assert "Delivered:" in html and "webhook-signature" in html and "s3cret" not in html
    assert ui_client("viewer").post(f"/webhooks/{hook.webhook.pk}/test/").status_code == 403


def test_delivery_detail_shows_request_headers(ui_client, org, hook, receiver, django_capture_on_commit_callbacks):
    use_case = outbound_use_case(org, [mapping(hook.webhook.pk)])
    with django_capture_on_commit_callbacks(execute=True):
        publish_event(org, {"event_name": "contract.created", "payload": {"contract_number": "C-1"}})
    delivery = OutboundDelivery.objects.get()
    assert delivery.status == "succeeded"
    page = ui_client("viewer").get(f"/integrations/{use_case.integration.pk}/deliveries/{delivery.monitoring_event_id}/")
    html = page.content.decode()
    assert 'data-testid="request-headers"' in html
    assert f"<code class=\"wrap-anywhere\">{delivery.pk}</code>" in html  # webhook-id = the delivery id
    assert "Authorization" in html and "s3cret" not in html
