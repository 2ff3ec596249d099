"""Connectors pages with the Django client: the try-it console (masked), the whitelist editor (admin only,
history with diffs), the types page (preview, generate, download .tgz, commit); no secret on any page."""
from __future__ import annotations

import gzip
import io
import json
import tarfile

import pytest

from tests.connector_fixtures import make_connector
from tests.factories import IntegrationFactory, UseCaseFactory
from tests.integrations.connectors import servers

pytestmark = pytest.mark.django_db


@pytest.fixture
def connector(org, erp_allowed):
    return make_connector(org, erp_allowed.base_url)


def assert_no_secret(text: str):
    for secret in (servers.CLIENT_SECRET, servers.API_KEY, "tok-1", "tok-2"):
        assert secret not in text, secret


def test_try_console_runs_the_call_and_masks_secrets(ui_client, connector):
    client = ui_client("editor")
    use_case = connector.use_cases.get(slug="get-customer")
    page = client.get(f"/integrations/{connector.pk}/use-cases/{use_case.pk}/")
    assert b"data-try-console" in page.content
    response = client.post(f"/integrations/{connector.pk}/use-cases/{use_case.pk}/try/",
                           json.dumps({"payload": {"customer_id": "C9"}}), content_type="application/json")
    body = response.json()
    assert body["ok"] and body["result"]["customer_id"] == "C9"
    assert body["request"]["url"].endswith("/customers/C9?expand=")
    assert body["request"]["headers"]["Authorization"] == "Bearer ••••••"
    assert body["request"]["headers"]["X-Erp-Key"] == "••••••"
    assert body["response"]["status"] == 200
    assert_no_secret(response.content.decode() + page.content.decode())
    failing = connector.use_cases.get(slug="failing")
    failed = client.post(f"/integrations/{connector.pk}/use-cases/{failing.pk}/try/", json.dumps({"payload": {}}),
                         content_type="application/json").json()
    assert not failed["ok"] and failed["error"]["code"] == "EXTERNAL_API_ERROR"
    assert failed["response"]["body"] == {"error": "database down"}


def test_try_console_needs_the_editor_role(ui_client, connector):
    use_case = connector.use_cases.get(slug="get-customer")
    viewer = ui_client("viewer")
    assert b"needs the editor role" in viewer.get(f"/integrations/{connector.pk}/use-cases/{use_case.pk}/").content
    response = viewer.post(f"/integrations/{connector.pk}/use-cases/{use_case.pk}/try/", "{}",
                           content_type="application/json")
    assert response.status_code == 403


def test_whitelist_editor_saves_for_admins_and_shows_diffs(ui_client, org):
    proxy = UseCaseFactory(organization=org, integration=IntegrationFactory(organization=org), name="ERP link",
                           type="secure_proxy",
                           configuration={"vpc_mode": "secure_link", "allowed_domains": ["api.erp.test"],
                                          "allowed_ips": ["10.0.0.0/8"]})
    url = f"/integrations/{proxy.integration_id}/use-cases/{proxy.pk}/whitelist/"
    editor = ui_client("editor")
    assert b"Only an organisation admin" in editor.get(url).content
    assert editor.post(url, {"allowed_domains": "x.erp.test", "allowed_ips": ""}).status_code == 403
    admin = ui_client("admin")
    bad = admin.post(url, {"allowed_domains": "*.com", "allowed_ips": ""})
    assert bad.status_code == 400 and b"two labels" in bad.content
    saved = admin.post(url, {"allowed_domains": "api.erp.test\n*.corp.example.com", "allowed_ips": "10.1.0.0/16"},
                       follow=True)
    text = saved.content.decode()
    assert "Whitelist saved" in text
    assert "+ *.corp.example.com" in text and "+ 10.1.0.0/16" in text and "− 10.0.0.0/8" in text
    assert str(admin.user.pk) in text


def test_types_page_preview_generate_download_commit(ui_client, connector):
    client = ui_client("editor")
    url = f"/integrations/{connector.pk}/types/"
    page = client.get(url).content.decode()
    assert "data-suggested-version>1.0.0" in page and "get-customer" in page
    generated = client.post(url, {"package_name": "@acme/partner", "version": "1.0.0", "action": "generate"})
    assert b"export interface UseCaseMap" in generated.content
    download = client.post(url, {"package_name": "@acme/partner", "version": "1.0.0", "action": "download"})
    assert download["Content-Type"] == "application/gzip"
    assert 'filename="acme-partner-1.0.0.tgz"' in download["Content-Disposition"]
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(download.content))) as archive:
        assert "package/index.d.ts" in archive.getnames()
    committed = client.post(url, {"package_name": "@acme/partner", "version": "1.0.0", "action": "commit"},
                            follow=True).content.decode()
    assert "Committed @acme/partner@1.0.0" in committed and "data-previous-version>1.0.0" in committed
    again = client.post(url, {"package_name": "@acme/partner", "version": "1.0.0", "action": "commit"})
    assert again.status_code == 400 and b"not greater" in again.content
    assert client.get(f"/integrations/{connector.pk}/environment/").status_code == 200
    assert_no_secret(committed)
