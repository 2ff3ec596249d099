"""Issue 15, items 2 and 3: the code editor (vendored CodeMirror 6) on the JSON view and the JSONata
inputs: a runtime JSONata error shows the engine's message and a lint marker at its position; payload keys
are completed; without the bundle the plain fields still work."""
import json

import pytest

from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.ui.browser.code_editor import fill_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIG = {
    "entities": [
        {
            "entity_schema": "contact",
            "unique_ids": ["customer_number"],
            "fields": [
                {"attribute": "customer_number", "field": "customerId"},
                {"attribute": "first_name", "jsonataExpression": "$uppercase(firstName)"},
            ],
        }
    ]
}
PAYLOAD = json.dumps({"customerId": "C-1", "firstName": "Ada", "contact": {"mail": "ada@example.com"}})


@pytest.fixture
def editor_page(page, login):
    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    integration = IntegrationFactory(organization=org)
    use_case = UseCaseFactory(integration=integration, name="CustomerChanged", configuration=CONFIG)
    login("consultant")

    def open_editor():
        page.goto(f"/integrations/{integration.pk}/use-cases/{use_case.pk}/")
        page.locator("[data-usecase-editor][data-ready]").wait_for()
        page.get_by_label("Sample payload").fill(PAYLOAD)

    return open_editor


def test_runtime_error_message_and_lint_marker(page, shot, editor_page):
    from playwright.sync_api import expect

    editor_page()
    result = page.locator("[data-sim-output]")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"first_name": "ADA"')
    expression = page.get_by_label("JSONata expression of first_name")
    assert expression.get_attribute("contenteditable") == "true"  # the code editor, not the plain input

    fill_code(expression, "$foo(firstName)")
    error = result.get_by_test_id("simulation-error")
    expect(error.get_by_test_id("jsonata-code")).to_have_text("T1006")
    expect(error.get_by_test_id("error-message")).to_contain_text("Attempted to invoke a non-function")
    expect(error.get_by_test_id("error-position")).to_have_text("position 5")
    # Under the field: the engine's message; in the editor: a lint marker on the character before position 5.
    row = page.locator("tr.issue-row")
    expect(row).to_contain_text("T1006 at position 5: Attempted to invoke a non-function")
    field = page.locator(".code-editor[data-path='configuration.entities[0].fields[1].jsonataExpression']")
    marker = field.locator(".cm-lintRange-error")
    expect(marker).to_have_text("(")
    shot("01-runtime-error")

    # The JSON view marks the same place inside the expression string.
    page.get_by_role("tab", name="JSON").click()
    json_view = page.locator(".field[data-path='configuration'] .code-editor")
    expect(json_view.locator(".cm-lineNumbers")).to_be_visible()
    expect(json_view.locator(".cm-lintRange-error")).to_have_text("(")
    shot("02-json-view-marker")

    # Fixing it clears the markers.
    page.get_by_role("tab", name="Entities and fields").click()
    fill_code(expression, "$uppercase(contact.mail)")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"first_name": "ADA@EXAMPLE.COM"')
    expect(marker).to_have_count(0)


def test_completion_offers_payload_keys(page, shot, editor_page):
    from playwright.sync_api import expect

    editor_page()
    expression = page.get_by_label("JSONata expression of first_name")
    fill_code(expression, "")
    expression.press_sequentially("cont")
    options = page.locator(".cm-tooltip-autocomplete li")
    expect(options.first).to_contain_text("contact")
    shot("03-completion")
    expression.press("Enter")
    expect(expression).to_have_text("contact")
    expression.press_sequentially(".ma")
    expect(options.first).to_contain_text("mail")


def test_json_view_syntax_lint_and_bracket_matching(page, editor_page):
    from playwright.sync_api import expect

    editor_page()
    page.get_by_role("tab", name="JSON").click()
    json_view = page.get_by_label("Configuration (JSON)")
    fill_code(json_view, '{"entities": [}')
    expect(page.locator("[data-json-status]")).to_contain_text("JSON syntax error")
    expect(page.locator(".field[data-path='configuration'] .cm-lintRange-error")).to_have_count(1)
    fill_code(json_view, '{"entities": []}')
    expect(page.locator("[data-json-status]")).to_have_text("Valid JSON")
    json_view.press("End")
    expect(page.locator(".field[data-path='configuration'] .cm-matchingBracket")).to_have_count(2)


def test_plain_fields_without_the_bundle(page, editor_page):
    """Progressive enhancement: with the bundle blocked, the plain inputs and the simulation still work."""
    from playwright.sync_api import expect

    page.route("**/vendor/codemirror/codemirror.js", lambda route: route.abort())
    editor_page()
    expression = page.get_by_label("JSONata expression of first_name")
    assert expression.evaluate("e => e.tagName") == "INPUT"
    expression.fill("$lowercase(firstName)")
    expect(page.locator("[data-sim-output]").get_by_test_id("entity-update")).to_contain_text('"first_name": "ada"')
