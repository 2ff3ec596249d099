"""Ignored and duplicate inbound events leave an info row in v2 (and none in the v1 inbound list)."""
import pytest

from monitoring.models import InboundMonitoringEvent, MonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

pytestmark = pytest.mark.django_db


def test_ignored_and_duplicate_events_get_info_rows(owner):
    integration, _ = integration_with_use_case(owner.organization)
    ignored = v3_event(event_name="NobodyListens")
    first = v3_event(deduplication_id="d-1")
    again = v3_event(deduplication_id="d-1")
    results = post_v3(owner, integration, [ignored, first, again]).json()["results"]
    assert [r["status"] for r in results] == ["ignored", "success", "skipped"]
    rows = {row.code: row for row in MonitoringEvent.objects.filter(level="info")}
    assert set(rows) == {"EVENT_NOT_CONFIGURED", "DUPLICATE_EVENT"}
    assert rows["DUPLICATE_EVENT"].event_id == results[1]["event_id"]
    assert rows["EVENT_NOT_CONFIGURED"].use_case_type == "inbound" and rows["EVENT_NOT_CONFIGURED"].v1_status is None
    assert not InboundMonitoringEvent.objects.filter(level="info").exists()
