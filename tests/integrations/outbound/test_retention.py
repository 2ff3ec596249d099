"""Catalog events and settled deliveries expire after OUTBOUND_RETENTION_DAYS; pending ones stay."""
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import CatalogEvent, OutboundDelivery
from integrations.outbound.services.catalog import purge_outbound_history
from tests.integrations.outbound.helpers import make_webhook, mapping, outbound_use_case, publish

pytestmark = pytest.mark.django_db


def test_old_history_is_purged_and_pending_deliveries_are_kept(owner, receiver, settings,
                                                               django_capture_on_commit_callbacks):
    settings.OUTBOUND_RETENTION_DAYS = 30
    webhook, _ = make_webhook(owner.organization, receiver.url)
    outbound_use_case(owner.organization, [mapping(webhook.id), mapping("missing")])
    with django_capture_on_commit_callbacks(execute=True):
        [delivered, _failed] = publish(owner, event_id="old").json()["deliveries"]
    owner.client.post(f"/v1/outbound/deliveries/{delivered['delivery_id']}/resend")  # pending (not run)
    publish(owner, event_id="recent")
    old = timezone.now() - timedelta(days=31)
    CatalogEvent.objects.filter(event_id="old").update(created_at=old)
    OutboundDelivery.objects.filter(event_id="old").update(created_at=old)

    assert purge_outbound_history() == {"deliveries": 2, "catalog_events": 1}
    assert set(CatalogEvent.objects.values_list("event_id", flat=True)) == {"recent"}
    kept = OutboundDelivery.objects.filter(event_id="old").get()
    assert kept.status == "pending" and kept.resend_of_id is None
    assert purge_outbound_history() == {"deliveries": 0, "catalog_events": 0}
