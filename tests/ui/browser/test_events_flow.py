"""Issue 6 proof, second half: the event browser (filters, detail, replay) and the entity store browser,
screenshotted step by step."""
import json

import pytest

from integrations.inbound.services.accept import accept_events
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def send(org, integration, *payloads):
    body = {
        "integration_id": str(integration.pk),
        "events": [
            {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json",
             "payload": json.dumps(payload)}
            for payload in payloads
        ],
    }
    return accept_events(org, "v3", body)


def test_event_browser_replay_and_entities(page, shot, login):
    from playwright.sync_api import expect

    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    integration = IntegrationFactory(organization=org, name="SAP IS-U")
    UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")
    send(org, integration, {"customerId": "C-1", "firstName": "Ada"}, {"firstName": "no id"})

    login("consultant")
    expect(page.get_by_role("cell", name="SAP IS-U")).to_be_visible()
    shot("01-integrations-with-events")

    page.get_by_role("link", name="SAP IS-U").click()
    page.locator(".page-actions").get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", name="Events of SAP IS-U")).to_be_visible()
    shot("02-event-browser")

    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    shot("03-filtered-failed")
    page.get_by_role("link", name="Clear").click()

    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="Payload")).to_be_visible()
    shot("04-event-detail")

    page.get_by_role("button", name="Replay").click()
    expect(page.get_by_text("Replay: 1 queued")).to_be_visible()
    shot("05-replayed")

    page.get_by_role("link", name="Events", exact=True).last.click()
    page.get_by_label("Select all events on this page").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Replay selected").click()
    expect(page.get_by_text("Replay:")).to_be_visible()
    shot("06-replayed-selected")

    page.get_by_role("link", name="Entities").click()
    page.get_by_role("link", name="contact").click()
    page.get_by_role("link", name="Ada").first.click()
    expect(page.get_by_role("heading", name="Attributes")).to_be_visible()
    shot("07-entity")

    # A recorded event as the simulation's sample payload.
    page.get_by_role("link", name="Integrations").click()
    page.get_by_role("link", name="SAP IS-U").click()
    page.get_by_role("link", name="CustomerChanged").click()
    page.locator("[data-usecase-editor][data-ready]").wait_for()  # the editor's script is listening
    labels = page.locator("#sim-event option").all_text_contents()
    page.get_by_label("Recorded event").select_option(label=next(label for label in labels if "processed" in label))
    expect(page.locator("[data-sim-output]")).to_contain_text("customer_number")
    shot("08-simulation-from-recorded-event")
