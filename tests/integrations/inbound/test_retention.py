"""Retention: expired dedup claims and old finished events go; pending events and fresh claims stay."""
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.inbound.services.retention import purge_inbound_history
from integrations.inbound.tasks import purge_inbound_events
from integrations.models import ErpEvent, EventDeduplication, EventStatus
from monitoring.models import InboundMonitoringEvent
from monitoring.services import purge_inbound_monitoring, record_inbound_event
from monitoring.tasks import purge_inbound_monitoring as purge_monitoring_task
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

pytestmark = pytest.mark.django_db


def test_purge_keeps_pending_events_and_live_claims(owner, settings):
    settings.INBOUND_EVENT_RETENTION_DAYS = 30
    integration, _ = integration_with_use_case(owner.organization)
    results = post_v3(owner, integration, [v3_event(deduplication_id=f"d{n}") for n in range(3)]).json()["results"]
    old_finished, old_pending, fresh = (ErpEvent.objects.get(pk=r["event_id"]) for r in results)
    long_ago = timezone.now() - timedelta(days=31)
    ErpEvent.objects.filter(pk=old_finished.pk).update(received_at=long_ago, status=EventStatus.PROCESSED)
    ErpEvent.objects.filter(pk=old_pending.pk).update(received_at=long_ago)
    EventDeduplication.objects.filter(deduplication_id="d0").update(expires_at=timezone.now() - timedelta(hours=2))
    assert purge_inbound_history() == {"deduplication_claims": 1, "events": 1}
    assert set(ErpEvent.objects.values_list("pk", flat=True)) == {old_pending.pk, fresh.pk}
    assert set(EventDeduplication.objects.values_list("deduplication_id", flat=True)) == {"d1", "d2"}
    assert purge_inbound_events() == {"deduplication_claims": 0, "events": 0}


def test_a_purged_claim_can_be_claimed_again(owner):
    integration, _ = integration_with_use_case(owner.organization)
    post_v3(owner, integration, [v3_event(deduplication_id="again")])
    EventDeduplication.objects.update(expires_at=timezone.now() - timedelta(hours=2))
    purge_inbound_history()
    result = post_v3(owner, integration, [v3_event(deduplication_id="again")]).json()["results"][0]
    assert result["status"] == "success"
    assert EventDeduplication.objects.get().event_id == ErpEvent.objects.order_by("-sequence").first().pk


def test_claim_vanishing_between_read_and_take_over_is_re_inserted(owner, monkeypatch):
    from integrations.inbound.services import deduplication

    integration, _ = integration_with_use_case(owner.organization)
    post_v3(owner, integration, [v3_event(deduplication_id="racy")])
    EventDeduplication.objects.update(expires_at=timezone.now() - timedelta(hours=2))
    original = deduplication._take_over

    def purge_first(*args, **kwargs):  # the retention job deletes the expired row right before the take-over
        EventDeduplication.objects.all().delete()
        return original(*args, **kwargs)

    monkeypatch.setattr(deduplication, "_take_over", purge_first)
    result = post_v3(owner, integration, [v3_event(deduplication_id="racy")]).json()["results"][0]
    assert result["status"] == "success"
    assert EventDeduplication.objects.get().event_id == ErpEvent.objects.order_by("-sequence").first().pk


def test_monitoring_rows_past_retention_are_purged(owner, settings):
    settings.MONITORING_RETENTION_DAYS = 90
    now = timezone.now()
    for age in (91, 89):
        record_inbound_event(org_id=owner.organization.id, event_id=f"e{age}", sync_type="entity", status="success",
                             received_at=now - timedelta(days=age), completed_at=now - timedelta(days=age))
    assert purge_monitoring_task() == 1
    assert list(InboundMonitoringEvent.objects.values_list("event_id", flat=True)) == ["e89"]
    assert purge_inbound_monitoring(older_than_days=1) == 1
