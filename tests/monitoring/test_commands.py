"""Management commands: evaluate notifications once; rebuild rollups gives the same counts."""
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from monitoring import services
from monitoring.models import MonitoringRollup, Source
from tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db


def test_rebuild_rollups_recounts_the_same(owner):
    integration = IntegrationFactory(organization=owner.organization)
    for minute in range(0, 120, 7):
        services.record(org_id=owner.organization.id, integration_id=integration.id, source=Source.SYSTEM,
                        event_id=f"e{minute}", at=datetime(2026, 3, 1, 10, minute // 60, minute % 60, tzinfo=UTC))
    before = sorted(MonitoringRollup.objects.values_list("grain", "bucket", "rows"))
    call_command("rebuild_monitoring_rollups", stdout=None)
    assert sorted(MonitoringRollup.objects.values_list("grain", "bucket", "rows")) == before


def test_evaluate_notifications_once(capsys):
    call_command("evaluate_notifications")
    assert "notification decisions recorded: 0" in capsys.readouterr().out
