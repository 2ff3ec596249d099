"""File proxy upload direction driven by outbound file_proxy deliveries against the local fake DMS/ERP:
fan-out with per-item deliveries, body_jsonata, single-pass templates with both guards, step ``enabled``
BREAK, retries with backoff, FILE_TOO_LARGE before fetching, a secure-proxy attachment, FAN_OUT_EMPTY."""
from __future__ import annotations

import base64
import json

import pytest

from fileproxy import uploads
from fileproxy.environment import set_environment_value
from integrations.models import DeliveryStatus, OutboundDelivery
from integrations.outbound.services.catalog import publish_event
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.integrations.connectors import servers

pytestmark = pytest.mark.django_db

PDF = base64.b64encode(b"%PDF-1.4 invoice").decode()


def upload_config(base_url, **extra):
    step = {"url": base_url + "/documents/{{file_data.filename}}", "method": "PUT", "response_type": "json",
            "headers": {"X-API-Key": "{{env.erp_key}}"},
            "body_jsonata": '{"name": $file_data.filename, "data": $file_data.base64, "contract": contract.number,'
                            ' "tenant": $env.tenant, "signed": $germanDate(contract.signed_at)}'}
    config = {"direction": "upload", "fan_out": {"enabled": True}, "upload": {"max_delivery_attempts": 3},
              "steps": [step]}
    config.update(extra)
    return config


@pytest.fixture
def setup(owner, erp_allowed):
    integration = IntegrationFactory(organization=owner.organization, environment_config=[
        {"key": "erp_key", "type": "SecretString"}, {"key": "tenant", "type": "String"}])
    set_environment_value(integration, "erp_key", servers.API_KEY)
    set_environment_value(integration, "tenant", "north")
    upload = UseCaseFactory(organization=owner.organization, integration=integration, name="DMS upload",
                            slug="dms-upload", type="file_proxy", configuration=upload_config(erp_allowed.base_url))
    UseCaseFactory(organization=owner.organization, integration=integration, name="Documents out", slug="docs-out",
                   type="outbound", configuration={"event_catalog_event": "document.created", "mappings": [
                       {"id": "m1", "name": "to DMS", "enabled": True,
                        "delivery": {"type": "file_proxy", "use_case_slug": "dms-upload"}}]})
    return owner.organization, upload


def publish(organization, attachments, event_id=None):
    data = {"event_name": "document.created", "payload": {"contract": {"number": "V-9", "signed_at": "2026-03-05T10:00:00Z"},
                                                          "event_attachments": attachments}}
    if event_id:
        data["event_id"] = event_id
    return publish_event(organization, data)


def test_fan_out_uploads_each_attachment_with_its_body(setup, erp_allowed, django_capture_on_commit_callbacks):
    organization, _ = setup
    files = [{"filename": "a.pdf", "mime_type": "application/pdf", "content_base64": PDF},
             {"filename": "b.pdf", "mime_type": "application/pdf", "content_base64": PDF}]
    with django_capture_on_commit_callbacks(execute=True):
        publication = publish(organization, files)
    deliveries = list(OutboundDelivery.objects.filter(event_id=publication.event.event_id).order_by("item_index"))
    assert [(d.item_index, d.status) for d in deliveries] == [(0, "succeeded"), (1, "succeeded")]
    sent = [r for r in erp_allowed.requests if r["path"].startswith("/documents/")]
    assert [r["path"] for r in sent] == ["/documents/a.pdf", "/documents/b.pdf"]
    assert sent[0]["method"] == "PUT" and sent[0]["headers"]["x-api-key"] == servers.API_KEY
    assert json.loads(sent[0]["body"]) == {"name": "a.pdf", "data": PDF, "contract": "V-9", "tenant": "north",
                                           "signed": "05.03.2026"}


def test_without_fan_out_one_delivery_carries_all_files_and_no_body_sends_them_as_is(
        setup, erp_allowed, django_capture_on_commit_callbacks):
    organization, upload = setup
    config = upload_config(erp_allowed.base_url, fan_out={"enabled": False})
    config["steps"][0].pop("body_jsonata")
    config["steps"][0]["url"] = erp_allowed.base_url + "/bundle"
    upload.configuration = config
    upload.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(organization, [{"filename": "a.pdf", "content_base64": PDF}, {"filename": "b.pdf", "content_base64": PDF}])
    delivery = OutboundDelivery.objects.get(delivery_type="file_proxy")
    assert delivery.item_index == -1 and delivery.status == "succeeded"
    body = json.loads(erp_allowed.requests[-1]["body"])
    assert [item["filename"] for item in body] == ["a.pdf", "b.pdf"]


def test_disabled_step_breaks_and_the_delivery_is_skipped(setup, erp_allowed, django_capture_on_commit_callbacks):
    organization, upload = setup
    config = upload_config(erp_allowed.base_url)
    config["steps"][0]["enabled"] = 'contract.number = "other"'
    upload.configuration = config
    upload.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(organization, [{"filename": "a.pdf", "content_base64": PDF}])
    delivery = OutboundDelivery.objects.get(delivery_type="file_proxy")
    assert delivery.status == DeliveryStatus.SKIPPED and "disabled" in delivery.last_error
    assert not [r for r in erp_allowed.requests if r["path"].startswith("/documents/")]


@pytest.mark.parametrize("change, message", [
    ({"url": "https://{{env.host}}/document/import"}, "'host' is not set"),
    ({"url": "https://dms.example/\\{{env.tenant}}"}, "remains after rendering"),
    ({"body_jsonata": '"just text"'}, "object or an array"),
    ({"enabled": '"yes"'}, "boolean"),
])
def test_terminal_configuration_errors(setup, erp_allowed, django_capture_on_commit_callbacks, change, message):
    organization, upload = setup
    config = upload_config(erp_allowed.base_url)
    config["steps"][0].update(change)
    upload.configuration = config
    upload.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(organization, [{"filename": "a.pdf", "content_base64": PDF}])
    delivery = OutboundDelivery.objects.get(delivery_type="file_proxy")
    assert delivery.status == "failed" and message in delivery.last_error, delivery.last_error
    assert delivery.attempts == 1


def test_upstream_5xx_is_retried_with_backoff_then_fails(setup, erp_allowed, django_capture_on_commit_callbacks):
    organization, upload = setup
    config = upload_config(erp_allowed.base_url)
    config["steps"][0]["url"] = erp_allowed.base_url + "/fail"
    upload.configuration = config
    upload.save()
    with django_capture_on_commit_callbacks(execute=False):
        publish(organization, [{"filename": "a.pdf", "content_base64": PDF}])
    delivery = OutboundDelivery.objects.get(delivery_type="file_proxy")
    delays = [uploads.deliver_upload(delivery.pk) for _ in range(3)]
    assert all(d and d > 0 for d in delays[:2]) and delays[2] is None
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 3 and "gave up after 3 attempts" in delivery.last_error


def test_file_too_large_before_fetching_and_fetch_by_url(setup, erp_allowed, django_capture_on_commit_callbacks):
    organization, upload = setup
    config = upload_config(erp_allowed.base_url, upload={"max_file_bytes": 10})
    upload.configuration = config
    upload.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(organization, [{"filename": "big.pdf", "size_bytes": 11, "url": erp_allowed.base_url + "/bytes"}])
    delivery = OutboundDelivery.objects.get(delivery_type="file_proxy")
    assert delivery.status == "failed" and "over the limit of 10" in delivery.last_error
    assert not [r for r in erp_allowed.requests if r["path"] == "/bytes"]  # nothing was fetched


def test_no_attachments_plans_nothing(setup, django_capture_on_commit_callbacks):
    organization, _ = setup
    with django_capture_on_commit_callbacks(execute=True):
        publication = publish(organization, [])
    assert not OutboundDelivery.objects.filter(delivery_type="file_proxy").exists()
    assert publication.event.skipped[0]["code"] == "FAN_OUT_EMPTY"


def test_steps_go_through_the_secure_proxy_when_attached(setup, erp_allowed, dns, settings,
                                                         django_capture_on_commit_callbacks):
    organization, upload = setup
    UseCaseFactory(organization=organization, integration=upload.integration, name="DMS link", slug="dms-link",
                   type="secure_proxy", configuration={"vpc_mode": "secure_link", "allowed_domains": ["api.erp.test"],
                                                       "allowed_ips": ["127.0.0.0/8"]})
    settings.OUTBOUND_HTTP_ALLOWLIST = []  # only the secure proxy's CIDRs may open the private range
    port = erp_allowed.server_address[1]
    config = upload_config(f"http://api.erp.test:{port}", secure_proxy={"use_case_slug": "dms-link"})
    upload.configuration = config
    upload.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(organization, [{"filename": "a.pdf", "content_base64": PDF}])
    assert OutboundDelivery.objects.get(delivery_type="file_proxy").status == "succeeded"
    config["steps"][0]["url"] = f"http://mixed.erp.test:{port}/documents/x"
    upload.configuration = config
    upload.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(organization, [{"filename": "b.pdf", "content_base64": PDF}])
    failed = OutboundDelivery.objects.filter(delivery_type="file_proxy", status="failed").get()
    assert "allowed domains" in failed.last_error


def test_saving_an_upload_step_with_an_unknown_binding_is_refused(owner):
    integration = IntegrationFactory(organization=owner.organization)
    response = owner.client.post(f"/v1/integrations/{integration.id}/use-cases", {
        "name": "DMS", "slug": "dms", "type": "file_proxy", "enabled": True, "configuration": {
            "direction": "upload", "upload": {}, "steps": [{"url": "https://dms.example/x", "method": "PUT",
                                                             "response_type": "json",
                                                             "body_jsonata": '{"n": $filedata.filename}'}]}},
        format="json")
    assert response.status_code == 400
    assert "$filedata, which is not a known binding" in json.dumps(response.json())
