"""The connectors pages in a real browser (Debian's Chromium): the managed-call "try it" console, the
whitelist editor with its history diffs, and the types page (preview, generate, download, commit)."""
import gzip
import io
import tarfile

import pytest

from tests.connector_fixtures import make_connector
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.integrations.connectors import servers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _org(role="editor"):
    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role=role)
    return org


def test_try_console_shows_request_response_and_result_with_secrets_masked(page, shot, login, erp_allowed):
    from playwright.sync_api import expect

    integration = make_connector(_org(), erp_allowed.base_url)
    use_case = integration.use_cases.get(slug="get-customer")
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/use-cases/{use_case.pk}/")
    page.get_by_label("Payload (JSON)").fill('{"customer_id": "C42", "expand": "lines"}')
    page.get_by_role("button", name="Run").click()
    expect(page.locator("[data-try-status]")).to_contain_text("Succeeded")
    expect(page.locator("[data-try-result]")).to_contain_text('"customer_id": "C42"')
    expect(page.locator("[data-try-request]")).to_contain_text("/customers/C42?expand=lines")
    expect(page.locator("[data-try-request]")).to_contain_text("Bearer ••••••")
    expect(page.locator("[data-try-response]")).to_contain_text('"status": 200')
    shot("01-try-it")
    content = page.content()
    assert servers.CLIENT_SECRET not in content and servers.API_KEY not in content and "tok-" not in content


def test_whitelist_editor_saves_and_diffs_the_history(page, shot, login):
    from playwright.sync_api import expect

    org = _org(role="admin")
    proxy = UseCaseFactory(organization=org, integration=IntegrationFactory(organization=org, name="VPN ERP"),
                           name="ERP link", type="secure_proxy",
                           configuration={"vpc_mode": "secure_link", "allowed_domains": ["api.erp.test"],
                                          "allowed_ips": ["10.0.0.0/8"]})
    login("consultant")
    page.goto(f"/integrations/{proxy.integration_id}/use-cases/{proxy.pk}/")
    page.get_by_role("link", name="Whitelist").click()
    page.get_by_label("Domains").fill("api.erp.test\n*.com")
    page.get_by_role("button", name="Save whitelist").click()
    expect(page.locator("[data-whitelist-error]")).to_contain_text("two labels")
    page.get_by_label("Domains").fill("api.erp.test\n*.corp.example.com")
    page.get_by_label("IP ranges").fill("10.1.0.0/16")
    page.get_by_role("button", name="Save whitelist").click()
    expect(page.get_by_text("Whitelist saved")).to_be_visible()
    page.get_by_label("IP ranges").fill("10.1.0.0/16\n192.168.5.0/24")
    page.get_by_role("button", name="Save whitelist").click()
    rows = page.locator("[data-history-row]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("[data-added]")).to_have_text(["+ 192.168.5.0/24"])
    expect(rows.nth(1).locator("[data-added]")).to_have_text(["+ *.corp.example.com", "+ 10.1.0.0/16"])
    expect(rows.nth(1).locator("[data-removed]")).to_have_text(["− 10.0.0.0/8"])
    shot("01-whitelist-history")


def test_types_page_previews_generates_downloads_and_commits(page, shot, login, tmp_path):
    from playwright.sync_api import expect

    integration = make_connector(_org(), "https://erp.example.com")
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/")
    page.get_by_role("link", name="Types").click()
    expect(page.locator("[data-suggested-version]")).to_have_text("1.0.0")
    page.get_by_label("Package name").fill("@acme/partner-types")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("[data-file='index.d.ts']")).to_contain_text("export interface UseCaseMap")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download .tgz").click()
    path = tmp_path / "types.tgz"
    info.value.save_as(path)
    assert info.value.suggested_filename == "acme-partner-types-1.0.0.tgz"
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(path.read_bytes()))) as archive:
        assert sorted(archive.getnames()) == ["package/index.d.ts", "package/package.json"]
    page.get_by_role("button", name="Commit version").click()
    expect(page.get_by_text("Committed @acme/partner-types@1.0.0")).to_be_visible()
    expect(page.locator("[data-previous-version]")).to_have_text("1.0.0")
    expect(page.locator("[data-versions]")).to_contain_text("active")
    shot("01-types-committed")
