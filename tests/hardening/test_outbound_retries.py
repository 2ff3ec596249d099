"""Issue 10.5: outbound deliveries are retried on the configured schedule up to the configured attempts, on
the embedded default (no broker: the in-process schedule attempts due deliveries) and on a real worker."""
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations import embedded_schedule
from integrations.models import OutboundDelivery
from tests.integrations.inbound.test_worker import BROKER, IS_POSTGRES, broker_queue, wait_for  # noqa: F401
from tests.integrations.outbound.conftest import receiver  # noqa: F401
from tests.integrations.outbound.helpers import make_webhook, mapping, outbound_use_case, publish


def down_then_up(receiver, failures):  # noqa: F811
    receiver.responses = [(503, {"error": "down"})] * failures


@pytest.mark.django_db
def test_embedded_default_honours_the_schedule_and_all_attempts(owner, receiver, settings,  # noqa: F811
                                                                django_capture_on_commit_callbacks):
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 6
    settings.OUTBOUND_DELIVERY_BACKOFF_SECONDS = 60
    down_then_up(receiver, 5)
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    delivery = OutboundDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.status == "pending"  # no immediate retry: backoff first
    assert embedded_schedule.run_due(now=timezone.now()) == 0  # not due yet
    later = timezone.now()
    for _ in range(10):
        later += timedelta(hours=2)
        embedded_schedule.run_due(now=later)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 6
    assert len(receiver.requests) == 6


@pytest.mark.django_db
def test_embedded_default_gives_up_after_the_configured_attempts(owner, receiver, settings,  # noqa: F811
                                                                  django_capture_on_commit_callbacks):
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 6
    receiver.default = (503, {"error": "down"})
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner)
    later = timezone.now()
    for _ in range(10):
        later += timedelta(hours=2)
        embedded_schedule.run_due(now=later)
    delivery = OutboundDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 6 and len(receiver.requests) == 6
    assert "gave up after 6 attempts" in delivery.last_error


def test_the_embedded_schedule_runs_the_beat_entries(settings):
    names = {entry.task for entry in embedded_schedule.entries()}
    assert {"integrations.tasks.sweep_events", "integrations.tasks.sweep_deliveries"} <= names
    for name in names:
        assert embedded_schedule.task(name).name == name  # what the schedule thread runs


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.skipif(not BROKER, reason="set ERP_TEST_CELERY_BROKER_URL=redis://127.0.0.1:6379/<db>")
@pytest.mark.skipif(not IS_POSTGRES, reason="the real-worker tests need PostgreSQL (set DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_beyond_four_attempts(owner, receiver, broker_queue, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OUTBOUND_HTTP_ALLOWLIST", "127.0.0.1")
    monkeypatch.setenv("OUTBOUND_DELIVERY_BACKOFF_SECONDS", "0.2")
    monkeypatch.setenv("OUTBOUND_DELIVERY_BACKOFF_MAX_SECONDS", "0.5")
    monkeypatch.setenv("OUTBOUND_DELIVERY_MAX_ATTEMPTS", "6")
    broker_queue()
    down_then_up(receiver, 5)
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id)])
    assert publish(owner).status_code == 201
    delivery = wait_for(lambda: OutboundDelivery.objects.filter(status="succeeded").first(), "delivery succeeded")
    assert delivery.attempts == 6 and len(receiver.requests) == 6
