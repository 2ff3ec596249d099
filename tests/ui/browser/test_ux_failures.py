"""Issue 15, items 5 and 6: from a failed event to the fix in one click (open the event in the editor,
named sample payloads kept with the use case), the error column, and replay-all with a progress bar."""
import json

import pytest

from integrations.inbound.services.accept import accept_events
from integrations.models import ErpEvent
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.ui.browser.code_editor import fill_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIG = {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"], "fields": [
    {"attribute": "customer_number", "field": "customerId"},
    {"attribute": "first_name", "jsonataExpression": "$uppercase(firstName)"}]}]}


@pytest.fixture
def failing(login):
    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    integration = IntegrationFactory(organization=org, name="SAP IS-U")
    use_case = UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed", configuration=CONFIG)
    payloads = [{"customerId": "C-1", "firstName": "Ada"}] + [{"kundennummer": f"K-{i}", "firstName": "Bo"} for i in range(6)]
    accept_events(org, "v3", {"integration_id": str(integration.pk), "events": [
        {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json", "payload": json.dumps(p)}
        for p in payloads]})
    assert ErpEvent.objects.filter(status="failed").count() == 6
    login("consultant")
    return integration, use_case


def test_failed_event_to_the_fix(page, shot, failing):
    from playwright.sync_api import expect

    integration, use_case = failing
    page.goto(f"/integrations/{integration.pk}/events/?status=failed")
    errors = page.get_by_test_id("event-error")
    expect(errors).to_have_count(6)
    expect(errors.first).not_to_have_text("—")
    shot("01-error-column")

    page.get_by_role("link", name=page.locator("tbody tr a").first.inner_text()).first.click()
    page.get_by_test_id("open-in-editor").click()
    page.locator("[data-usecase-editor][data-ready]").wait_for()
    expect(page.get_by_test_id("opened-event")).to_be_visible()
    assert "kundennummer" in page.get_by_label("Sample payload").input_value()
    result = page.locator("[data-sim-output]")
    expect(result.get_by_test_id("simulation-error")).to_be_visible()
    shot("02-event-in-editor")

    # The fix: map the ERP's field; the simulation turns green.
    page.get_by_label("Source of customer_number").select_option("jsonataExpression")
    fill_code(page.get_by_label("JSONata expression of customer_number"), "customerId ? customerId : kundennummer")
    expect(result.get_by_test_id("entity-update")).to_contain_text('"customer_number": "K-')

    # Keep this payload as a named sample; it survives a reload.
    page.get_by_label("Sample name").fill("Kundennummer only")
    page.get_by_role("button", name="Save sample").click()
    expect(page.locator("[data-sample-status]")).to_contain_text("Saved")
    page.goto(f"/integrations/{integration.pk}/use-cases/{use_case.pk}/")
    page.locator("[data-usecase-editor][data-ready]").wait_for()
    assert "kundennummer" in page.get_by_label("Sample payload").input_value()
    page.get_by_label("Sample payload").fill('{"customerId": "C-2", "firstName": "Cy"}')
    page.get_by_label("Saved sample").select_option(label="Kundennummer only")
    assert "kundennummer" in page.get_by_label("Sample payload").input_value()
    shot("03-saved-sample")


def test_replay_all_matching_with_progress(page, shot, failing):
    from playwright.sync_api import expect

    integration, _ = failing
    page.goto(f"/integrations/{integration.pk}/events/?status=failed")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Replay all matching events").click()
    expect(page.get_by_role("heading", name="Replay all matching events")).to_be_visible()
    page.locator("[data-replay-job][data-finished]").wait_for()
    expect(page.locator("[data-percent]")).to_have_text("100 %")
    expect(page.locator("[data-counts]")).to_have_text("6 of 6 events")
    assert page.locator("[data-progress]").evaluate("e => e.value") == 100
    shot("04-replay-done")
    assert ErpEvent.objects.filter(replay_of__isnull=False).count() == 6
