"""Odd values in every field of every inbound request: always a 2xx/4xx JSON answer, never a 500."""
import pytest

from tests.factories import AppMappingFactory
from tests.integrations.inbound.helpers import integration_with_use_case, v2_event, v3_event

pytestmark = pytest.mark.django_db

ODD_VALUES = [None, "", " ", 0, -1, 1.5, True, [], {}, ["x"], {"a": 1}, "x" * 300, "\u0000", "💥", "<a>&x;</a>",
              "2025-13-01T00:00:00Z", "not-a-uuid", "00000000-0000-0000-0000-000000000000"]


def _requests(integration, mapping):
    envelopes = {
        "/v3/erp/updates/events": ({"integration_id": str(integration.id), "events": [v3_event()]}, v3_event()),
        "/v2/erp/updates/events": ({"integration_id": str(integration.id), "events": [v2_event()]}, v2_event()),
        "/v1/erp/updates/events": (
            {"app_id": mapping.app_id, "component_id": mapping.component_id, "meta": {}, "events": [v2_event()]},
            v2_event(),
        ),
    }
    for path, (envelope, event) in envelopes.items():
        for key in [*envelope, "correlation_id"]:
            for value in ODD_VALUES:
                yield path, key, value, {**envelope, key: value}
        yield path, "events[0].payload.nul", "nul", {**envelope, "events": [{**event, "payload": {"a": "x\u0000"}}]}
        for key in [*event, "use_case_slug", "deduplication_id"]:
            for value in ODD_VALUES:
                yield path, f"events[0].{key}", value, {**envelope, "events": [{**event, key: value}]}
    for suffix in ("events", "events/replay", "monitoring/inbound-events"):
        for key in ("limit", "cursor", "event_id", "event_type", "event_ids", "from_date", "status", "event_name"):
            for value in ODD_VALUES:
                yield f"/v1/integrations/{integration.id}/{suffix}", key, value, {key: value}
    for value in ODD_VALUES:
        yield "/v1/erp/tracking/acknowledgement", "ack_id", value, {"ack_id": value}


def test_no_odd_value_causes_a_server_error(owner):
    integration, _ = integration_with_use_case(owner.organization)
    mapping = AppMappingFactory(integration=integration)
    failures = []
    for path, key, value, body in _requests(integration, mapping):
        response = owner.client.post(path, body, format="json")
        if response.status_code >= 500 or "code" not in response.json() and response.status_code >= 400:
            failures.append((path, key, str(value)[:20], response.status_code))
    assert not failures, failures[:20]
