"""Issue 10.8: a reading is never rejected for its reason; a non-standard reason is mapped and stored as
written and reported as a warning (simulation output, monitoring row)."""
import pytest

from entities.models import Entity, MeterReading
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

pytestmark = pytest.mark.django_db
V2 = "/v2/erp/updates/mapping_simulation"
CONFIG = {"entities": [], "meter_readings": [{
    "jsonataExpression": "readings",
    "meter": {"unique_ids": [{"attribute": "meter_number", "constant": "M-1"}]},
    "fields": [
        {"attribute": "external_id", "field": "id"},
        {"attribute": "timestamp", "field": "date"},
        {"attribute": "source", "constant": "ERP"},
        {"attribute": "value", "field": "value"},
        {"attribute": "reason", "field": "reason"},
    ],
}]}
PAYLOAD = {"readings": [{"id": "R1", "date": "2025-03-01T00:00:00Z", "value": 12.5, "reason": "monthly_billing"},
                        {"id": "R2", "date": "2025-04-01T00:00:00Z", "value": 13.5, "reason": "regular"}]}


def test_simulation_maps_a_non_standard_reason_with_a_warning(owner):
    response = owner.client.post(V2, {"event_configuration": CONFIG, "format": "json", "payload": PAYLOAD},
                                 format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [u["attributes"]["reason"] for u in body["meter_readings_updates"]] == ["monthly_billing", "regular"]
    [warning] = body["warnings"]
    assert "monthly_billing" in warning["message"] and warning["field"] == "reason"


def test_processing_stores_it_as_written_and_warns(owner, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization, configuration=CONFIG)
    Entity.objects.create(organization=owner.organization, schema="meter", attributes={"meter_number": "M-1"})
    with django_capture_on_commit_callbacks(execute=True):
        [result] = post_v3(owner, integration, [v3_event(payload=PAYLOAD)]).json()["results"]
    row = InboundMonitoringEvent.objects.get(event_id=result["event_id"])
    assert row.status == "success", row.error_message
    assert any("monthly_billing" in str(w) for w in row.details["warnings"])
    assert sorted(MeterReading.objects.values_list("reason", flat=True)) == ["monthly_billing", "regular"]
