"""Outbound deliveries through a REAL Celery worker on Redis and PostgreSQL: the retry countdown is real.

Skipped unless ERP_TEST_CELERY_BROKER_URL is set and the database is PostgreSQL (as the inbound worker tests).
"""
import pytest

from integrations.models import OutboundDelivery
from monitoring.models import OutboundMonitoringEvent
from tests.integrations.inbound.test_worker import BROKER, IS_POSTGRES, broker_queue, wait_for  # noqa: F401
from tests.integrations.outbound.helpers import (
    make_webhook,
    mapping,
    outbound_use_case,
    publish,
    verify_standard_webhook,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not BROKER, reason="set ERP_TEST_CELERY_BROKER_URL=redis://127.0.0.1:6379/<db> to run "
                       "the real-worker tests (.ci/run does)"),
    pytest.mark.skipif(not IS_POSTGRES, reason="the real-worker tests need PostgreSQL (set DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def test_worker_retries_with_a_real_countdown_then_delivers(owner, receiver, broker_queue, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OUTBOUND_HTTP_ALLOWLIST", "127.0.0.1")
    monkeypatch.setenv("OUTBOUND_DELIVERY_BACKOFF_SECONDS", "0.5")
    monkeypatch.setenv("OUTBOUND_DELIVERY_MAX_ATTEMPTS", "3")
    broker_queue()
    receiver.responses = [(503, {"error": "warming up"})]
    webhook, secret = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])

    assert publish(owner).status_code == 201

    delivery = wait_for(lambda: OutboundDelivery.objects.filter(status="succeeded").first(), "delivery succeeded")
    assert delivery.attempts == 2 and len(receiver.requests) == 2
    assert {r.headers["webhook-id"] for r in receiver.requests} == {str(delivery.id)}
    verify_standard_webhook(secret, receiver.requests[1].headers, receiver.requests[1].body)
    row = OutboundMonitoringEvent.objects.get()
    assert row.status == "succeeded" and [a["status_code"] for a in row.attempts] == [503, 200]
