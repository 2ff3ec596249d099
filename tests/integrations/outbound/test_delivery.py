"""Catalog event -> mappings -> signed webhook deliveries, retries, failures, resend."""
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import CatalogEvent, OutboundDelivery, TrackingRecord
from integrations.outbound.services import delivery as delivery_service
from monitoring.models import OutboundMonitoringEvent
from tests.integrations.outbound.helpers import (
    make_webhook,
    mapping,
    outbound_use_case,
    publish,
    run_retries,
    verify_standard_webhook,
)

pytestmark = pytest.mark.django_db


def test_event_is_mapped_signed_and_delivered_with_an_ack(owner, receiver, django_capture_on_commit_callbacks):
    webhook, secret = make_webhook(owner.organization, receiver.url, headers={"X-Api-Key": "k-123"})
    use_case = outbound_use_case(owner.organization, [mapping(webhook.id)])

    with django_capture_on_commit_callbacks(execute=True):
        response = publish(owner, payload={"contract_number": "C-42"}, event_id="01HZYX0000000000000000TEST")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["event_id"] == "01HZYX0000000000000000TEST"
    [planned] = body["deliveries"]
    assert planned["status"] == "pending" and planned["use_case_id"] == str(use_case.id)  # queued
    assert owner.client.get(f"/v1/outbound/deliveries/{planned['delivery_id']}").json()["status"] == "succeeded"

    [received] = receiver.requests
    verify_standard_webhook(secret, received.headers, received.body)
    assert received.headers["webhook-id"] == planned["delivery_id"]
    assert received.headers["content-type"] == "application/json"
    assert received.headers["x-api-key"] == "k-123"
    payload = received.json()
    assert payload["contract"] == "C-42" and payload["event"] == "contract.created"
    assert TrackingRecord.objects.filter(ack_id=payload["ack"], organization=owner.organization,
                                         event_id="01HZYX0000000000000000TEST").exists()

    row = OutboundMonitoringEvent.objects.get()
    assert row.status == "succeeded" and row.event_name == "contract.created"
    assert row.http_response["status_code"] == 200 and row.http_response["headers"]["x-receiver"] == "test"
    assert row.payload == payload and row.webhook_config_id == str(webhook.id) and row.url == receiver.url
    assert row.integration_id == str(use_case.integration_id) and len(row.attempts) == 1
    assert CatalogEvent.objects.get().payload == {"contract_number": "C-42"}


def test_common_fields_are_on_the_event(owner, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    expression = '{"org": _org_id, "time": _event_time, "id": _event_id, "name": _event_name, ' \
                 '"version": _event_version, "source": _event_source, "ack": _ack_id}'
    outbound_use_case(owner.organization, [mapping(webhook.id, expression)])
    with django_capture_on_commit_callbacks(execute=True):
        event_id = publish(owner).json()["event_id"]
    payload = receiver.requests[0].json()
    assert payload["org"] == owner.organization.id and payload["id"] == event_id
    assert payload["name"] == "contract.created" and payload["version"] == "1"
    assert payload["source"] == "erpintegration" and payload["time"].endswith("Z") and payload["ack"]
    assert len(event_id) == 26  # a ULID


def test_every_enabled_mapping_of_every_subscribed_use_case_delivers(owner, receiver,
                                                                     django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id, '{"n": 1}'), mapping(webhook.id, '{"n": 2}'),
                                           mapping(webhook.id, '{"n": 3}', enabled=False)])
    outbound_use_case(owner.organization, [mapping(webhook.id, '{"n": 4}')])
    outbound_use_case(owner.organization, [mapping(webhook.id, '{"n": 5}')], enabled=False)
    outbound_use_case(owner.organization, [mapping(webhook.id, '{"n": 6}')], event="contract.deleted")
    with django_capture_on_commit_callbacks(execute=True):
        response = publish(owner)
    assert len(response.json()["deliveries"]) == 3
    assert sorted(r.json()["n"] for r in receiver.requests) == [1, 2, 4]


def test_other_organisations_use_cases_do_not_receive_the_event(owner, other_org, receiver,
                                                                  django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(other_org.organization, receiver.url)
    outbound_use_case(other_org.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(owner).json()["deliveries"] == []
    assert receiver.requests == []


def test_retried_on_500_then_succeeds(owner, receiver, django_capture_on_commit_callbacks):
    receiver.responses = [(500, {"error": "busy"}), (503, {}), (200, {"ok": True})]
    webhook, secret = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    run_retries()
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1  # one message, three attempts
    for request in receiver.requests:
        verify_standard_webhook(secret, request.headers, request.body)
    row = OutboundMonitoringEvent.objects.get()
    assert row.status == "succeeded" and [a["status_code"] for a in row.attempts] == [500, 503, 200]
    assert row.http_response["status_code"] == 200
    delivery = OutboundDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempts == 3


def test_fails_after_max_attempts(owner, receiver, settings, django_capture_on_commit_callbacks):
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 4
    receiver.default = (502, {"error": "bad gateway"})
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    run_retries()
    assert len(receiver.requests) == 4
    row = OutboundMonitoringEvent.objects.get()
    assert row.status == "failed" and len(row.attempts) == 4
    assert "HTTP 502" in row.error_message and "gave up after 4 attempts" in row.error_message
    assert row.http_response == {"status_code": 502, "message": '{"error": "bad gateway"}',
                                 "headers": row.http_response["headers"]}


def test_client_errors_are_not_retried(owner, receiver, django_capture_on_commit_callbacks):
    receiver.default = (422, {"error": "unknown contract"})
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    assert len(receiver.requests) == 1
    assert OutboundMonitoringEvent.objects.get().status == "failed"


def test_timeouts_are_retried(owner, receiver, settings, django_capture_on_commit_callbacks):
    settings.OUTBOUND_DELIVERY_TIMEOUT_SECONDS = 0.2
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 2
    receiver.delay_seconds = 0.6
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    run_retries()
    row = OutboundMonitoringEvent.objects.get()
    assert row.status == "failed" and len(row.attempts) == 2
    assert all(a["status_code"] is None and "timed out" in a["error"] for a in row.attempts)


def test_disabled_webhook_is_a_failed_row_not_a_delivery(owner, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url, enabled=False)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        [planned] = publish(owner).json()["deliveries"]
    assert receiver.requests == []
    assert planned["status"] == "failed" and "disabled" in planned["error"]
    row = OutboundMonitoringEvent.objects.get()
    assert row.status == "failed" and row.error_message == f"webhook {webhook.id} is disabled"
    assert not TrackingRecord.objects.exists()  # nothing sent, nothing to acknowledge


def test_missing_webhook_is_a_failed_row(owner, receiver, django_capture_on_commit_callbacks):
    outbound_use_case(owner.organization, [mapping("wh-does-not-exist")])
    with django_capture_on_commit_callbacks(execute=True):
        response = publish(owner)
    assert response.status_code == 201
    row = OutboundMonitoringEvent.objects.get()
    assert row.status == "failed" and row.error_message == "webhook 'wh-does-not-exist' not found"
    assert row.webhook_config_id == "wh-does-not-exist"


@pytest.mark.parametrize("expression, message", [
    ('$error("no contract")', "JSONata error"),
    ("nothing_here", "mapping produced no value"),
    ('"just a string"', "mapping must produce a JSON object, not str"),
])
def test_mapping_problems_are_failed_rows(owner, receiver, expression, message, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id, expression), mapping(webhook.id, '{"ok": true}')])
    with django_capture_on_commit_callbacks(execute=True):
        response = publish(owner)
    assert response.status_code == 201
    statuses = sorted(d["status"] for d in response.json()["deliveries"])
    assert statuses == ["failed", "pending"]  # the good mapping was queued
    failed = OutboundMonitoringEvent.objects.get(status="failed")
    assert message in failed.error_message and failed.payload is None
    assert [r.json() for r in receiver.requests] == [{"ok": True}]


def test_blocked_destination_fails_without_retrying(owner, receiver, settings, django_capture_on_commit_callbacks):
    settings.OUTBOUND_HTTP_ALLOWLIST = []
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    row = OutboundMonitoringEvent.objects.get()
    assert row.status == "failed" and len(row.attempts) == 1 and "OUTBOUND_HTTP_ALLOWLIST" in row.error_message
    assert receiver.requests == []


def test_resend_sends_the_payload_again_as_a_new_delivery(owner, other_org, receiver,
                                                         django_capture_on_commit_callbacks):
    receiver.responses = [(400, {"error": "not yet"})]
    webhook, secret = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        [first] = publish(owner).json()["deliveries"]
    assert owner.client.get(f"/v1/outbound/deliveries/{first['delivery_id']}").json()["status"] == "failed"

    assert other_org.client.post(f"/v1/outbound/deliveries/{first['delivery_id']}/resend").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client.post(f"/v1/outbound/deliveries/{first['delivery_id']}/resend")
    assert response.status_code == 201, response.json()
    again = response.json()
    assert again["resend_of"] == first["delivery_id"]
    assert again["delivery_id"] != first["delivery_id"]
    first_request, second_request = receiver.requests
    assert first_request.body == second_request.body
    verify_standard_webhook(secret, second_request.headers, second_request.body)
    assert second_request.headers["webhook-id"] == again["delivery_id"]
    rows = OutboundMonitoringEvent.objects.order_by("id")
    assert [r.status for r in rows] == ["failed", "succeeded"]
    assert rows[1].metadata["resend_of"] == first["delivery_id"]
    assert owner.client.get(f"/v1/outbound/deliveries/{again['delivery_id']}").json()["status"] == "succeeded"


def test_resend_of_a_mapping_failure_is_a_conflict(owner, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id, '$error("x")')])
    with django_capture_on_commit_callbacks(execute=True):
        [first] = publish(owner).json()["deliveries"]
    response = owner.client.post(f"/v1/outbound/deliveries/{first['delivery_id']}/resend")
    assert response.status_code == 409 and response.json()["code"] == "CONFLICT"
    assert owner.client.post("/v1/outbound/deliveries/not-a-uuid/resend").status_code == 404


def test_sweeper_re_enqueues_overdue_pending_deliveries(owner, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    publish(owner)  # on_commit callbacks not run: the message is "lost"
    delivery = OutboundDelivery.objects.get()
    assert delivery.status == "pending" and receiver.requests == []
    assert delivery_service.sweep_deliveries() == 0  # not overdue yet
    OutboundDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=10))
    assert delivery_service.sweep_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and len(receiver.requests) == 1


def test_a_settled_delivery_is_not_attempted_again(owner, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    assert delivery_service.attempt_delivery(OutboundDelivery.objects.get().pk) is None
    assert len(receiver.requests) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling(settings):
    settings.OUTBOUND_DELIVERY_BACKOFF_SECONDS = 10
    settings.OUTBOUND_DELIVERY_BACKOFF_MAX_SECONDS = 100
    rng = random.Random(7)
    delays = [delivery_service.backoff_seconds(n, rng=rng) for n in range(1, 7)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(100, 10 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling


def test_signature_matches_the_standard_webhooks_reference_vector():
    # From the Standard Webhooks specification's reference implementations.
    signature = delivery_service.signature(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize("body, field", [
    ({"payload": {}}, "event_name"),
    ({"event_name": "a b"}, "event_name"),
    ({"event_name": "contract.created", "payload": [1]}, "payload"),
    ({"event_name": "contract.created", "event_id": "has space"}, "event_id"),
    ({"event_name": "contract.created", "event_time": "yesterday"}, "event_time"),
    ({"event_name": "contract.created", "event_time": "2026-13-45T00:00:00Z"}, "event_time"),
    ({"event_name": "contract.created", "payload": {"a": "x\u0000y"}}, "payload"),
    ({"event_name": "contract.created\u0000"}, "event_name"),
])
def test_publish_rejects_bad_input(owner, body, field):
    response = owner.client.post("/v1/event-catalog/events", body, format="json")
    assert response.status_code == 400 and field in response.json()["message"]
    assert not CatalogEvent.objects.exists()


def test_publish_same_event_id_twice_is_a_conflict(owner, anonymous):
    assert publish(owner, event_id="evt-1").status_code == 201
    response = publish(owner, event_id="evt-1")
    assert response.status_code == 409 and "evt-1" in response.json()["message"]
    assert anonymous.post("/v1/event-catalog/events", {"event_name": "x"}, format="json").status_code == 401


def test_nul_in_a_mapping_result_or_a_webhook_answer_is_handled(owner, receiver, django_capture_on_commit_callbacks):
    receiver.default = (200, b'{"note": "a\\u0000b"}\x00')
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id, '{"bad": "a" & $fromMillis(0) & "\\u0000"}'),
                                           mapping(webhook.id, '{"ok": true}')])
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(owner).status_code == 201
    rows = {r.status: r for r in OutboundMonitoringEvent.objects.all()}
    assert "NUL" in rows["failed"].error_message
    assert rows["succeeded"].http_response["message"] == '{"note": "a\\u0000b"}'


def test_services_reject_nul_without_the_api_parser(owner):
    from erpintegration.exceptions import ValidationFailed
    from integrations.outbound.services import catalog as outbound
    from integrations.outbound.services import webhooks

    with pytest.raises(ValidationFailed, match="^payload: NUL"):
        outbound.publish_event(owner.organization, {"event_name": "a.b", "payload": {"k": "\x00"}})
    with pytest.raises(ValidationFailed, match="^name:"):
        webhooks.create_webhook(owner.organization, {"name": "a\x00", "url": "https://erp.example.com"})
