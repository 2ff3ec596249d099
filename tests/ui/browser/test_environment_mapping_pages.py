"""The maps editor, the portal registry and documentation pages in a real browser (Debian's Chromium)."""
import json

import pytest

from integrations.models import DocumentationPage, Integration, PortalConfig
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consultant():
    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    return org


def test_maps_editor(page, shot, login, consultant):
    from playwright.sync_api import expect

    integration = IntegrationFactory(organization=consultant, name="SAP IS-U", maps=[
        {"key": "salutations", "label": "Salutations", "value": {"Herr": "Mr."}}])
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/")
    page.locator(".integration-tabs").get_by_role("link", name="Maps").click()
    expect(page.get_by_label("Map key").first).to_have_value("salutations")
    shot("01-existing")

    first = page.locator("[data-map]").first
    first.get_by_role("button", name="+ Add row").click()
    first.get_by_label("Row key").last.fill("Frau")
    first.get_by_label("Row value").last.fill("Ms.")
    page.get_by_role("button", name="+ Add map").click()
    second = page.locator("[data-map]").nth(1)
    second.get_by_label("Map key").fill("status_codes")
    second.get_by_label("Map label").fill("Status codes")
    second.get_by_label("Row key").fill("active")
    second.get_by_label("Row value").fill("1")
    second.get_by_label("Row type").select_option("number")
    second.get_by_role("button", name="+ Add row").click()
    second.get_by_label("Row key").last.fill("archived")
    second.get_by_label("Row type").last.select_option("null")
    shot("02-edited")
    page.get_by_role("button", name="Save maps").click()
    expect(page.get_by_text("Maps saved (2 maps).")).to_be_visible()
    integration.refresh_from_db()
    assert integration.maps == [
        {"key": "salutations", "label": "Salutations", "value": {"Herr": "Mr.", "Frau": "Ms."}},
        {"key": "status_codes", "label": "Status codes", "value": {"active": 1, "archived": None}},
    ]

    page.locator("[data-map]").nth(1).get_by_label("Map key").fill("Bad Key")
    page.get_by_role("button", name="Save maps").click()
    expect(page.get_by_text("The maps were not saved.")).to_be_visible()
    expect(page.locator("[data-issue-path='maps[1].key']")).to_be_visible()
    expect(page.locator("[data-map]").nth(1).get_by_label("Map key")).to_have_class("code is-invalid")
    shot("03-invalid")
    assert Integration.objects.get(pk=integration.pk).maps[1]["key"] == "status_codes"

    page.locator("[data-map]").nth(1).get_by_role("button", name="Remove map").click()
    page.get_by_role("button", name="Save maps").click()
    expect(page.get_by_text("Maps saved (1 map).")).to_be_visible()
    assert [m["key"] for m in Integration.objects.get(pk=integration.pk).maps] == ["salutations"]


def test_portal_registry(page, shot, login, consultant):
    from playwright.sync_api import expect

    login("consultant")
    page.goto("/")
    page.get_by_role("link", name="Portals").click()
    expect(page.get_by_text("No portals registered.")).to_be_visible()
    page.get_by_role("link", name="+ New portal").click()
    page.get_by_label("Portal id").fill("11111111-2222-4333-8444-555555555555")
    page.get_by_label("Origin").select_option("END_CUSTOMER_PORTAL")
    page.get_by_label("Name", exact=False).first.fill("Kundenportal")
    page.get_by_role("textbox", name="Domain").fill("kunden.stadtwerke-nord.example")
    shot("01-new")
    page.get_by_role("button", name="Save portal").click()
    expect(page.get_by_text("Portal Kundenportal saved.")).to_be_visible()

    page.get_by_role("link", name="Import JSON").click()
    page.get_by_label("Portal configurations as JSON").fill(json.dumps([
        {"id": "portal-installer", "origin": "INSTALLER_PORTAL", "name": "Installateure", "is_dummy": False},
        {"portal_id": "portal-b2b", "origin": "B2B_PORTAL", "name": "Geschäftskunden", "enabled": False}]))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported: 2 new, 0 updated.")).to_be_visible()
    expect(page.locator("[data-portal-table] tbody tr")).to_have_count(3)
    shot("02-list")

    page.get_by_role("link", name="Import JSON").click()
    page.get_by_label("Portal configurations as JSON").fill('[{"portal_id": "x", "origin": "MOON_PORTAL"}]')
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Nothing was imported.")).to_be_visible()
    expect(page.get_by_text("portals[0].origin")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()

    page.get_by_role("link", name="Installateure").click()
    page.get_by_label("Name").fill("Installateurportal")
    page.get_by_role("button", name="Save portal").click()
    expect(page.get_by_text("Portal Installateurportal saved.")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-portal='portal-b2b']").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Portal Geschäftskunden deleted.")).to_be_visible()
    assert sorted(PortalConfig.objects.filter(organization=consultant).values_list("name", flat=True)) == [
        "Installateurportal", "Kundenportal"]
    shot("03-after-delete")


def test_documentation_pages(page, shot, login, consultant):
    from playwright.sync_api import expect

    integration = IntegrationFactory(organization=consultant, name="SAP IS-U")
    use_case = UseCaseFactory(integration=integration, name="Customer changed")
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/")
    page.locator(".integration-tabs").get_by_role("link", name="Documentation").click()
    expect(page.get_by_text("No general page yet.")).to_be_visible()
    page.get_by_role("link", name="Write general page").click()
    page.get_by_label("Title").fill("Runbook")
    page.get_by_label("Content").fill("## Contacts\n\n| who | phone |\n|---|---|\n| SAP basis | 0800 |\n\n"
                                      "<img src=x onerror=alert(1)>\n\n[docs](https://help.example)")
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("Documentation saved.")).to_be_visible()
    body = page.locator("[data-doc-body]")
    expect(body.get_by_role("heading", name="Contacts")).to_be_visible()
    expect(body.get_by_role("cell", name="SAP basis")).to_be_visible()
    expect(body.get_by_text("<img src=x onerror=alert(1)>")).to_be_visible()  # shown as text, never run
    assert body.locator("img").count() == 0
    assert body.get_by_role("link", name="docs").get_attribute("rel") == "noopener noreferrer"
    shot("01-general")

    page.locator(".integration-tabs").get_by_role("link", name="Documentation").click()
    page.locator(f"[data-doc-row='{use_case.pk}']").get_by_role("link", name="Write").click()
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save page").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Title").fill("Customer sync")
    page.get_by_label("Content").fill("Maps `ANRED` with **$mapValue**.")
    page.get_by_role("button", name="Save page").click()
    expect(page.locator("[data-doc-body] strong")).to_have_text("$mapValue")
    shot("02-use-case")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Documentation page deleted.")).to_be_visible()
    assert list(DocumentationPage.objects.values_list("doc_id", flat=True)) == ["general"]


def test_env_and_portal_references_in_the_use_case_editor(page, shot, login, consultant):
    """The structured editor sets env_var_ref and portal_ref; the live simulation resolves them with the
    integration's environment values and the organisation's portals, as the worker will."""
    from playwright.sync_api import expect

    from fileproxy.environment import set_environment_value

    integration = IntegrationFactory(organization=consultant, name="SAP IS-U", environment_config=[
        {"key": "customer_prefix", "label": "Prefix", "type": "String"}])
    set_environment_value(integration, "customer_prefix", "PROD-")
    PortalConfig.objects.create(organization=consultant, portal_id="portal-7", origin="INSTALLER_PORTAL")
    use_case = UseCaseFactory(integration=integration, name="CustomerChanged")
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/use-cases/{use_case.pk}/")
    page.locator("[data-usecase-editor][data-ready]").wait_for()
    page.get_by_label("Sample payload").fill('{"customerId": "C-1", "firstName": "Ada"}')
    result = page.locator("[data-sim-output]")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"first_name": "Ada"')

    page.get_by_label("Source of first_name").select_option("env_var_ref")
    page.get_by_label("Environment variable of first_name").fill("customer_prefix")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"first_name": "PROD-"')
    page.get_by_label("Source of first_name").select_option("portal_ref")
    page.get_by_label("Portal origin of first_name").select_option("INSTALLER_PORTAL")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"first_name": "portal-7"')
    shot("01-portal-ref")
    page.get_by_label("Describe this change").fill("first_name from the portal registry")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_text("Saved as a new version.")).to_be_visible()
    use_case.refresh_from_db()
    assert use_case.configuration["entities"][0]["fields"][1] == {
        "attribute": "first_name", "portal_ref": {"filter": {"origin": "INSTALLER_PORTAL"}}}
