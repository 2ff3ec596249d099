"""deduplication_id: same integration within 24 h -> skipped; after 24 h or another integration -> accepted."""
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import ErpEvent, EventDeduplication
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

pytestmark = pytest.mark.django_db


def test_duplicate_within_24h_is_skipped_and_not_stored(owner):
    integration, _ = integration_with_use_case(owner.organization)
    first = post_v3(owner, integration, [v3_event(deduplication_id="dup-1")]).json()["results"][0]
    second = post_v3(owner, integration, [v3_event(deduplication_id="dup-1")]).json()["results"][0]
    assert first["status"] == "success"
    assert second["status"] == "skipped" and "dup-1" in second["message"]
    assert second["event_id"] == first["event_id"]
    assert ErpEvent.objects.count() == 1


def test_duplicate_inside_one_request_is_skipped(owner):
    integration, _ = integration_with_use_case(owner.organization)
    results = post_v3(owner, integration, [v3_event(deduplication_id="d"), v3_event(deduplication_id="d")])
    assert [r["status"] for r in results.json()["results"]] == ["success", "skipped"]


def test_same_id_after_24h_is_accepted_again(owner):
    integration, _ = integration_with_use_case(owner.organization)
    post_v3(owner, integration, [v3_event(deduplication_id="late")])
    EventDeduplication.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = post_v3(owner, integration, [v3_event(deduplication_id="late")]).json()["results"][0]
    assert again["status"] == "success"
    assert ErpEvent.objects.count() == 2
    assert EventDeduplication.objects.get().event_id == ErpEvent.objects.order_by("-sequence").first().id


def test_same_id_in_another_integration_is_independent(owner):
    first, _ = integration_with_use_case(owner.organization)
    second, _ = integration_with_use_case(owner.organization)
    assert post_v3(owner, first, [v3_event(deduplication_id="x")]).json()["results"][0]["status"] == "success"
    assert post_v3(owner, second, [v3_event(deduplication_id="x")]).json()["results"][0]["status"] == "success"


def test_invalid_or_ignored_events_do_not_claim_the_id(owner):
    integration, _ = integration_with_use_case(owner.organization)
    post_v3(owner, integration, [v3_event(deduplication_id="k", timestamp="bad")])
    post_v3(owner, integration, [v3_event(deduplication_id="k", event_name="Nothing")])
    result = post_v3(owner, integration, [v3_event(deduplication_id="k")]).json()["results"][0]
    assert result["status"] == "success"


def test_the_database_enforces_uniqueness():
    from django.db import IntegrityError

    from tests.factories import IntegrationFactory

    integration = IntegrationFactory()
    EventDeduplication.objects.create(
        integration=integration, deduplication_id="u", event_id="00000000-0000-0000-0000-000000000001",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    with pytest.raises(IntegrityError):
        EventDeduplication.objects.create(
            integration=integration, deduplication_id="u", event_id="00000000-0000-0000-0000-000000000002",
            expires_at=timezone.now() + timedelta(hours=1),
        )
