"""Issue 6 proof: a consultant creates an integration and an inbound use case, edits a field expression
and watches the simulation change, saves with a change description, opens the history, diffs two
versions and restores one. Each step is screenshotted (folder printed at the start)."""
import pytest

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.ui.browser.code_editor import fill_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '{"customerId": "C-1001", "firstName": "Ada", "lastName": "Lovelace", "mail": "ada@example.com"}'


def test_consultant_builds_and_versions_a_mapping(page, shot, login):
    from playwright.sync_api import expect

    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")

    login("consultant")
    expect(page.get_by_role("heading", name="No integrations yet")).to_be_visible()
    shot("01-empty-integrations")

    # Create an integration.
    page.get_by_role("link", name="Create the first integration").click()
    page.get_by_label("Name", exact=True).fill("SAP IS-U")
    page.get_by_label("Description (optional)").fill("Customers and contracts from SAP")
    page.get_by_label("Key of row 1").fill("api.base_url")
    page.get_by_label("Label of row 1").fill("API base URL")
    shot("02-new-integration-form")
    page.get_by_role("button", name="Create integration").click()
    expect(page.get_by_role("heading", name="SAP IS-U")).to_be_visible()
    shot("03-integration-created")

    # Create an inbound use case.
    page.get_by_role("link", name="+ Inbound").click()
    page.get_by_label("Name").fill("CustomerChanged")
    page.get_by_role("button", name="Create use case").click()
    expect(page.get_by_role("heading", name="CustomerChanged")).to_be_visible()
    page.locator("[data-usecase-editor][data-ready]").wait_for()
    shot("04-editor")

    # Live simulation of the starter mapping.
    page.get_by_label("Sample payload").fill(PAYLOAD)
    result = page.locator("[data-sim-output]")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"first_name": "Ada"')
    shot("05-simulation")

    # Edit a field expression: the simulation follows.
    page.get_by_label("Source of first_name").select_option("jsonataExpression")
    fill_code(page.get_by_label("JSONata expression of first_name"), "$uppercase(firstName)")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"first_name": "ADA"')
    shot("06-expression-changed")

    # A broken expression shows the JSONata error with its position.
    fill_code(page.get_by_label("JSONata expression of first_name"), "$uppercase(firstName")
    expect(result.get_by_test_id("simulation-error")).to_be_visible()
    shot("07-expression-error")
    fill_code(page.get_by_label("JSONata expression of first_name"), "$uppercase(firstName)")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"first_name": "ADA"')

    # The JSON view stays in sync with the structured editor.
    page.get_by_role("tab", name="JSON").click()
    assert "$uppercase(firstName)" in page.locator("#id_configuration").input_value()
    shot("08-json-view")

    # Save with a change description.
    page.get_by_label("Describe this change").fill("Upper-case first names")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_text("Saved as a new version.")).to_be_visible()
    shot("09-saved")

    # History, diff, restore.
    page.get_by_role("link", name="History").first.click()
    expect(page.get_by_role("cell", name="Upper-case first names")).to_be_visible()
    shot("10-history")
    page.get_by_role("button", name="Compare selected").click()
    diff = page.get_by_test_id("diff")
    expect(diff).to_contain_text("$uppercase(firstName)")
    expect(diff).to_contain_text("firstName")
    shot("11-diff")
    page.get_by_role("link", name="Back to history").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Restore").first.click()
    expect(page.get_by_text("Version restored")).to_be_visible()
    expect(page.get_by_role("cell", name="#3")).to_be_visible()
    shot("12-restored")

    # The same pages on a narrow window.
    page.set_viewport_size({"width": 420, "height": 860})
    page.get_by_role("link", name="CustomerChanged").click()
    expect(page.get_by_role("heading", name="CustomerChanged")).to_be_visible()
    shot("13-narrow-editor")
