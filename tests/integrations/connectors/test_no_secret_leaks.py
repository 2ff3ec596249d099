"""No secret value (client secret, API key, issued tokens) appears in API answers, pages, logs or monitoring
rows, whatever the connector calls do: success, upstream error, SSRF refusal, token refusal, proxy calls,
uploads. The check greps everything the hub keeps or shows for the literal values."""
from __future__ import annotations

import base64
import json
import logging

import pytest
from django.apps import apps
from django.core import serializers

from integrations.outbound.services.catalog import publish_event
from tests.connector_fixtures import make_connector
from tests.factories import MembershipFactory, UseCaseFactory, UserFactory

from . import servers

pytestmark = pytest.mark.django_db
SECRETS = (servers.CLIENT_SECRET, servers.API_KEY, "tok-1", "tok-2", "tok-3")


def _grep(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into {where}"


def test_no_secret_in_answers_pages_logs_or_monitoring(owner, erp_allowed, dns, settings, caplog, client,
                                                      django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    integration = make_connector(owner.organization, erp_allowed.base_url)
    proxy = UseCaseFactory(organization=owner.organization, integration=integration, name="Link", slug="link",
                           type="secure_proxy", configuration={"vpc_mode": "secure_link",
                                                               "allowed_domains": ["api.erp.test"],
                                                               "allowed_ips": ["127.0.0.0/8"]})
    UseCaseFactory(organization=owner.organization, integration=integration, name="Upload", slug="upload",
                   type="file_proxy", configuration={"direction": "upload", "fan_out": {"enabled": True}, "steps": [
                       {"url": erp_allowed.base_url + "/documents/{{file_data.filename}}", "method": "PUT",
                        "response_type": "json", "headers": {"X-API-Key": "{{env.erp_key}}"}}]})
    UseCaseFactory(organization=owner.organization, integration=integration, name="Docs", slug="docs",
                   type="outbound", configuration={"event_catalog_event": "document.created", "mappings": [
                       {"id": "m1", "name": "DMS", "enabled": True,
                        "delivery": {"type": "file_proxy", "use_case_slug": "upload"}}]})
    answers = []

    def execute(slug, payload):
        answers.append(owner.client.post(f"/v1/managed-call/{slug}/execute",
                                         {"integration_id": str(integration.id), "payload": payload}, format="json"))

    execute("get-customer", {"customer_id": "C1"})
    execute("create-order", {"customer_id": "C1", "items": []})
    execute("failing", {})
    settings.OUTBOUND_HTTP_ALLOWLIST = []
    execute("get-customer", {"customer_id": "C1"})  # SSRF refusal
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1/32"]
    integration.connector_config["auth"]["client_id"] = "wrong-client"  # token refused (cache key changes)
    integration.save()
    execute("get-customer", {"customer_id": "C1"})
    port = erp_allowed.server_address[1]
    for url in (f"http://api.erp.test:{port}/customers/C2", f"http://mixed.erp.test:{port}/x"):
        answers.append(owner.client.post("/v1/secure-proxy", {
            "integration_id": str(integration.id), "use_case_id": str(proxy.id), "url": url, "method": "GET",
            "headers": {"X-API-Key": servers.API_KEY}}, format="json"))
    with django_capture_on_commit_callbacks(execute=True):
        publish_event(owner.organization, {"event_name": "document.created", "payload": {"event_attachments": [
            {"filename": "a.pdf", "content_base64": base64.b64encode(b"pdf").decode()}]}})
    assert [a.status_code for a in answers][:5] == [200, 200, 502, 400, 502]
    for answer in answers[:5]:
        _grep(answer.content.decode(), f"the answer {answer.status_code} of {answer.wsgi_request.path}")
    assert answers[5].json()["status_code"] == 200  # the caller's own key went upstream as it asked

    admin = UserFactory()
    MembershipFactory(user=admin, organization=owner.organization, role="admin")
    client.force_login(admin)
    for use_case in integration.use_cases.all():
        _grep(client.get(f"/integrations/{integration.pk}/use-cases/{use_case.pk}/").content.decode(), "a page")
    for path in ("", "environment/", "types/", "deliveries/", f"use-cases/{proxy.pk}/whitelist/"):
        page = client.get(f"/integrations/{integration.pk}/{path}")
        assert page.status_code == 200, path
        _grep(page.content.decode(), f"the page {path or 'detail'}")
    _grep("\n".join(record.getMessage() for record in caplog.records), "the logs")
    for model in apps.get_app_config("monitoring").get_models():
        rows = serializers.serialize("json", model.objects.all())
        assert model.__name__ != "MonitoringEvent" or json.loads(rows), "no monitoring v2 rows were written"
        _grep(rows, f"monitoring rows ({model.__name__})")
    for model in (apps.get_model("integrations", "OutboundDelivery"), apps.get_model("integrations", "ErpEvent")):
        _grep(serializers.serialize("json", model.objects.all()), model.__name__)

