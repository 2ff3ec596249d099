"""Issue 10.1: an expression's evaluation is bounded in memory and output size; the server survives.

Evaluations run in supervised child processes (``integrations/mapping/isolation.py``); these tests drive
the same expressions the probe used and check that the serving process (this one) does not grow.
"""
import os

import pytest

from integrations.mapping import isolation
from integrations.mapping import jsonata as expressions
from integrations.mapping.jsonata import ExpressionError
from integrations.models import ErpEvent, EventStatus
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

PAD = "$pad('x', 1e9)"
SQUARE = "[1..10000].([1..10000])"
V2 = "/v2/erp/updates/mapping_simulation"
MARGIN = 64 * 2**20


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def budget():
    saved = expressions.current_config()
    expressions.configure(memory_limit_mb=128, max_output_bytes=2**20)
    yield
    expressions.configure(**saved.__dict__)


def config_with(expression):
    return {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"], "fields": [
        {"attribute": "customer_number", "field": "customerId"},
        {"attribute": "big", "jsonataExpression": expression},
    ]}]}


def test_django_configures_a_memory_budget_by_default():
    from django.conf import settings

    assert settings.JSONATA_MEMORY_LIMIT_MB == 256
    assert expressions.current_config().memory_limit_mb == settings.JSONATA_MEMORY_LIMIT_MB


@pytest.mark.parametrize("expression", [PAD, SQUARE])
def test_a_runaway_allocation_is_an_error_and_memory_stays_put(budget, expression):
    before = rss()
    with pytest.raises(ExpressionError) as info:
        expressions.evaluate(expression, {"a": 1})
    # $pad spends seconds counting before it allocates: the hard time limit may end it first
    assert info.value.code in (isolation.MEMORY_CODE, "D1012")
    if info.value.code == isolation.MEMORY_CODE:
        assert "memory budget of 128 MB" in info.value.message
    assert rss() < before + MARGIN
    assert expressions.evaluate("a + 1", {"a": 1}) == 2  # a fresh child answers the next evaluation


def test_the_square_exceeds_the_memory_budget(budget):
    with pytest.raises(ExpressionError) as info:
        expressions.evaluate(SQUARE, None)
    assert info.value.code == isolation.MEMORY_CODE


def test_an_output_larger_than_the_limit_is_refused_in_the_child(budget):
    before = rss()
    with pytest.raises(ExpressionError) as info:
        expressions.evaluate("$pad('x', 3e6)", None)
    assert info.value.code == isolation.OUTPUT_CODE
    assert rss() < before + MARGIN
    assert len(expressions.evaluate("$pad('x', 1e5)", None)) == 100_000


def test_a_child_killed_from_outside_is_replaced(budget):
    data = expressions.prepare({"a": 1})
    assert expressions.evaluate("a", data) == 1
    pids = expressions.isolation_pool().pids()
    assert pids
    for pid in pids:
        os.kill(pid, 9)
    with pytest.raises(ExpressionError):
        expressions.evaluate("a", data)  # the evaluation that met the dead child fails cleanly
    assert expressions.evaluate("a + 1", data) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("expression", [PAD, SQUARE])
def test_simulation_answers_422_and_serves_the_next_request(owner, expression):
    before = rss()
    response = owner.client.post(V2, {"event_configuration": config_with(expression), "format": "json",
                                      "payload": {"customerId": "C-1"}}, format="json")
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["code"] == "JSONATA_ERROR"
    assert body["details"]["jsonata"]["code"] in (isolation.MEMORY_CODE, "D1012")
    assert body["message"].startswith("event_configuration.entities[0].fields[1].jsonataExpression: ")
    assert rss() < before + MARGIN
    ok = owner.client.post(V2, {"event_configuration": config_with("$uppercase(customerId)"), "format": "json",
                                "payload": {"customerId": "c-1"}}, format="json")
    assert ok.status_code == 200 and ok.json()["entity_updates"][0]["attributes"]["big"] == "C-1"


@pytest.mark.django_db
def test_processing_marks_the_event_failed_and_applies_the_next(owner, django_capture_on_commit_callbacks,
                                                                budget):
    integration, use_case = integration_with_use_case(owner.organization, configuration=config_with(SQUARE))
    before = rss()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_v3(owner, integration, [v3_event()])
    [result] = response.json()["results"]
    event = ErpEvent.objects.get(pk=result["event_id"])
    assert event.status == EventStatus.FAILED
    row = InboundMonitoringEvent.objects.get(event_id=event.id)
    assert row.error_code == "JSONATA_ERROR"
    assert row.error_message.startswith("entities[0].fields[1].jsonataExpression: ")  # mapped again to name it
    assert "memory budget of 128 MB" in row.error_message or "D1012" in row.error_message
    assert rss() < before + MARGIN
    use_case.configuration = config_with("$uppercase(firstName)")
    use_case.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_v3(owner, integration, [v3_event()])
    [result] = response.json()["results"]
    assert ErpEvent.objects.get(pk=result["event_id"]).status == EventStatus.PROCESSED
