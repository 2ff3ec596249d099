"""File-proxy uploads on a REAL Celery worker (Redis, PostgreSQL): the planned per-item deliveries are sent by
the file proxy's task, a 503 is retried with a real countdown, and each item ends uploaded exactly once.

Skipped unless ERP_TEST_CELERY_BROKER_URL is set and the database is PostgreSQL (as the other worker tests)."""
import base64

import pytest

from fileproxy.environment import set_environment_value
from integrations.models import OutboundDelivery
from integrations.outbound.services.catalog import publish_event
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.integrations.connectors import servers
from tests.integrations.inbound.test_worker import BROKER, IS_POSTGRES, broker_queue, wait_for  # noqa: F401

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not BROKER, reason="set ERP_TEST_CELERY_BROKER_URL=redis://127.0.0.1:6379/<db> to run "
                       "the real-worker tests (.ci/run does)"),
    pytest.mark.skipif(not IS_POSTGRES, reason="the real-worker tests need PostgreSQL (set DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def test_fan_out_uploads_run_on_the_worker_with_real_retries(owner, erp_allowed, broker_queue, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OUTBOUND_HTTP_ALLOWLIST", "127.0.0.1")
    monkeypatch.setenv("OUTBOUND_DELIVERY_BACKOFF_SECONDS", "0.5")
    broker_queue()
    integration = IntegrationFactory(organization=owner.organization,
                                     environment_config=[{"key": "erp_key", "type": "SecretString"}])
    set_environment_value(integration, "erp_key", servers.API_KEY)
    UseCaseFactory(organization=owner.organization, integration=integration, name="DMS", slug="dms",
                   type="file_proxy", configuration={"direction": "upload", "fan_out": {"enabled": True}, "steps": [
                       {"url": erp_allowed.base_url + "/flaky/{{file_data.filename}}", "method": "POST",
                        "response_type": "json", "headers": {"X-API-Key": "{{env.erp_key}}"}}]})
    UseCaseFactory(organization=owner.organization, integration=integration, name="Docs", slug="docs",
                   type="outbound", configuration={"event_catalog_event": "document.created", "mappings": [
                       {"id": "m1", "name": "DMS", "enabled": True,
                        "delivery": {"type": "file_proxy", "use_case_slug": "dms"}}]})
    pdf = base64.b64encode(b"%PDF").decode()
    publish_event(owner.organization, {"event_name": "document.created", "payload": {"event_attachments": [
        {"filename": "a.pdf", "content_base64": pdf}, {"filename": "b.pdf", "content_base64": pdf}]}})

    wait_for(lambda: OutboundDelivery.objects.filter(delivery_type="file_proxy", status="succeeded").count() == 2,
             "both uploads succeeded")
    assert sorted(OutboundDelivery.objects.values_list("item_index", "attempts")) == [(0, 2), (1, 2)]
    assert erp_allowed.seen_paths == {"/flaky/a.pdf": 2, "/flaky/b.pdf": 2}
