"""The outbound use-case editor: catalog event and mappings edited in the form, saved as a version."""
import pytest

from integrations.models import UseCase
from tests.factories import IntegrationFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.ui.browser.code_editor import fill_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_outbound_mapping_is_built_in_the_form(page, shot, login):
    from playwright.sync_api import expect

    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    integration = IntegrationFactory(organization=org, name="SAP IS-U")

    login("consultant")
    page.goto(f"/integrations/{integration.pk}/use-cases/new/?type=outbound")
    page.get_by_label("Name").fill("Contract created")
    page.get_by_role("button", name="Create use case").click()
    page.locator("[data-usecase-editor][data-ready]").wait_for()
    shot("01-empty-outbound")

    page.get_by_label("Catalog event").fill("contract.created")
    page.get_by_role("button", name="+ Add mapping").click()
    page.get_by_label("Name of mapping 1").fill("ERP contract sync")
    page.get_by_label("Webhook id of mapping 1").fill("wh-erp")
    fill_code(page.get_by_label("JSONata expression of mapping 1"), '{ "id": entity._id }')
    page.get_by_label("Describe this change").fill("Send new contracts to the ERP")
    shot("02-filled")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_text("Saved as a new version.")).to_be_visible()
    shot("03-saved")

    configuration = UseCase.objects.get(integration=integration).configuration
    assert configuration["event_catalog_event"] == "contract.created"
    [mapping] = configuration["mappings"]
    assert mapping["name"] == "ERP contract sync" and mapping["delivery"]["webhook_id"] == "wh-erp"
    assert mapping["jsonata_expression"] == '{ "id": entity._id }' and mapping["enabled"] is True
