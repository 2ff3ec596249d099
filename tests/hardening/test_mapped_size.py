"""Issue 10.2: a mapped value and a mapped event's total size are limited (a clear per-event error)."""
import pytest

from entities.models import Entity
from integrations.mapping import jsonata as expressions
from integrations.models import ErpEvent, EventStatus
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

V2 = "/v2/erp/updates/mapping_simulation"


def config_with(*expressions_):
    fields = [{"attribute": "customer_number", "field": "customerId"}]
    fields += [{"attribute": f"big{i}", "jsonataExpression": text} for i, text in enumerate(expressions_)]
    return {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"], "fields": fields}]}


@pytest.fixture
def small_limits():
    saved = expressions.current_config()
    expressions.configure(max_value_bytes=10_000, max_event_bytes=25_000)
    yield
    expressions.configure(**saved.__dict__)


def test_defaults_are_configured_from_settings():
    from django.conf import settings

    assert settings.MAPPING_MAX_VALUE_BYTES == 1_048_576
    assert expressions.current_config().max_value_bytes == settings.MAPPING_MAX_VALUE_BYTES
    assert expressions.current_config().max_event_bytes == settings.MAPPING_MAX_EVENT_BYTES


@pytest.mark.django_db
def test_a_value_over_the_limit_is_a_422_naming_the_attribute(owner, small_limits):
    response = owner.client.post(V2, {"event_configuration": config_with("$pad('x', 20000)"), "format": "json",
                                      "payload": {"customerId": "C-1"}}, format="json")
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["code"] == "MAPPED_VALUE_TOO_LARGE"
    assert "big0" in body["message"] and "10000" in body["message"]
    assert body["details"]["attribute"] == "big0"


@pytest.mark.django_db
def test_an_event_over_the_total_limit_is_a_422(owner, small_limits):
    config = config_with("$pad('x', 9000)", "$pad('y', 9000)", "$pad('z', 9000)")
    response = owner.client.post(V2, {"event_configuration": config, "format": "json",
                                      "payload": {"customerId": "C-1"}}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "MAPPED_EVENT_TOO_LARGE"


@pytest.mark.django_db
def test_processing_fails_the_event_and_stores_nothing(owner, small_limits, django_capture_on_commit_callbacks):
    integration, _ = integration_with_use_case(owner.organization, configuration=config_with("$pad('x', 50000)"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_v3(owner, integration, [v3_event()])
    [result] = response.json()["results"]
    assert ErpEvent.objects.get(pk=result["event_id"]).status == EventStatus.FAILED
    row = InboundMonitoringEvent.objects.get(event_id=result["event_id"])
    assert row.error_code == "MAPPED_VALUE_TOO_LARGE" and row.error_category == "validation"
    assert not Entity.objects.filter(organization=owner.organization).exists()
