"""Telemetry: /metrics (database-derived counts and request latency), /healthz with broker and worker,
liveness and readiness, and JSON logs carrying request id, organisation, integration and correlation id."""
import io
import json
import logging
import os
import re

import pytest
import redis

from erpintegration import health, logcontext
from erpintegration.celery import app
from integrations.inbound.services.accept import accept_events
from integrations.mapping import jsonata as expressions
from integrations.outbound.services.catalog import publish_event
from tests.factories import IntegrationFactory, MembershipFactory, OrganizationFactory, UseCaseFactory
from tests.integrations.outbound.helpers import mapping, outbound_use_case

pytestmark = pytest.mark.django_db
REDIS = os.environ.get("ERP_TEST_CELERY_BROKER_URL") or "redis://127.0.0.1:6379/3"


def sample(text: str, name: str, **labels) -> float:
    label_text = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(label_text) + r"\}" if labels else "") + r" ([0-9.e+-]+)"
    match = re.search(r"^" + pattern + "$", text, re.M)
    assert match, f"{name}{labels} not in /metrics"
    return float(match.group(1))


@pytest.fixture
def broker(request):
    """Point the Celery app at a broker (restored afterwards); tasks are eager otherwise."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}

    def use(url):
        app.conf.update(task_always_eager=False, broker_url=url)
        app.__dict__.pop("amqp", None)
        app._pool = None
        health.forget()

    yield use
    app.conf.update(saved)
    app.__dict__.pop("amqp", None)
    app._pool = None
    health.forget()


def test_metrics_after_events_are_processed(client, django_capture_on_commit_callbacks, settings):
    org = OrganizationFactory()
    integration = IntegrationFactory(organization=org)
    UseCaseFactory(integration=integration, name="CustomerChanged", configuration={"entities": [{
        "entity_schema": "contact", "unique_ids": ["customer_number"], "fields": [
            {"attribute": "customer_number", "field": "customerId"},
            {"attribute": "n", "jsonataExpression":
                'customerId = "slow" ? $count($filter([1..900000], function($v){ $v % 7 = 0 })) : 1'}]}]})
    expressions.configure(timeout_ms=30)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            accept_events(org, "v3", {"integration_id": str(integration.pk), "events": [
                {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json",
                 "payload": json.dumps(payload)} for payload in ({"customerId": "C-1"}, {"customerId": "slow"})]})
    finally:
        expressions.configure(timeout_ms=settings.JSONATA_TIMEOUT_MS)
    outbound_use_case(org, [mapping("00000000-0000-0000-0000-000000000000")])
    with django_capture_on_commit_callbacks(execute=True):
        publish_event(org, {"event_name": "contract.created", "payload": {"contract_number": "C-1"}})
    client.get("/healthz")

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert sample(text, "erp_inbound_events_accepted_total") == 2
    assert sample(text, "erp_inbound_events", status="failed") == 1  # its expression hit the time limit
    assert sample(text, "erp_inbound_events", status="processed") == 1
    assert sample(text, "erp_inbound_queue_lag_seconds") == 0
    assert sample(text, "erp_outbound_deliveries", status="failed") == 1
    assert sample(text, "erp_jsonata_timeouts", direction="inbound") == 1
    assert sample(text, "erp_http_request_duration_seconds_count", method="GET", route="healthz", status="2xx") >= 1


def test_queue_lag_counts_the_oldest_unfinished_event(client, django_capture_on_commit_callbacks):
    org = OrganizationFactory()
    integration = IntegrationFactory(organization=org)
    UseCaseFactory(integration=integration, name="CustomerChanged")
    # Not executing the on-commit callbacks leaves the event queued, as with a worker that is down.
    accept_events(org, "v3", {"integration_id": str(integration.pk), "events": [
        {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json", "payload": "{}"}]})
    text = client.get("/metrics").content.decode()
    assert sample(text, "erp_inbound_events", status="queued") == 1
    assert sample(text, "erp_inbound_queue_lag_seconds") > 0


def test_metrics_token(client, settings):
    settings.METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").status_code == 200


def test_healthz_in_process(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["broker"] == "in-process" and body["worker"] == "in-process"
    assert client.get("/healthz/live").json() == {"status": "ok"}
    assert client.get("/healthz/ready").status_code == 200


def test_healthz_broker_unreachable(client, broker):
    broker("redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable" and response.json()["status"] == "degraded"
    assert client.get("/healthz/ready").status_code == 503
    assert client.get("/healthz/live").status_code == 200


def test_healthz_reports_a_missing_worker(client, broker):
    try:
        redis.Redis.from_url(REDIS, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS}")
    broker(REDIS)
    response = client.get("/healthz")
    body = response.json()
    assert (body["broker"], body["worker"], body["status"]) == ("ok", "none", "degraded"), body
    assert response.status_code == 503
    assert body["database"] == "ok"
    assert client.get("/healthz/ready").status_code == 200  # events are stored and wait for a worker


def test_json_logs_carry_the_context(client, django_capture_on_commit_callbacks):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logcontext.ContextFilter())
    handler.setFormatter(logcontext.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        membership = MembershipFactory(role="viewer")
        integration = IntegrationFactory(organization=membership.organization)
        client.force_login(membership.user)
        # A request: django.request logs the 404 with the request id, organisation and the URL's integration.
        response = client.get(f"/integrations/{integration.pk}/events/00000000-0000-0000-0000-000000000000/")
        assert response.status_code == 404
        # Processing: each line names the event's correlation id.
        with logcontext.scope():
            event = type("E", (), {"organization_id": "org-1", "integration_id": integration.pk,
                                   "correlation_id": "corr-1", "pk": "evt-1"})
            logcontext.bind_event(event)
            logging.getLogger("integrations.test").warning("mapping failed")
    finally:
        root.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    request_line = next(line for line in lines if line["logger"] == "django.request")
    assert request_line["request_id"] == response["X-Request-Id"]
    assert request_line["integration"] == str(integration.pk)
    assert request_line["organization"] == membership.organization_id
    event_line = next(line for line in lines if line["logger"] == "integrations.test")
    assert event_line["correlation_id"] == "corr-1" and event_line["organization"] == "org-1"
    assert event_line["level"] == "WARNING" and event_line["message"] == "mapping failed"
