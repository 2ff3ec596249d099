"""Issue 15, item 4: outbound without the API: the outbound live simulation (body and headers per
webhook), "send test event" on a webhook, request headers on the delivery detail."""
import pytest

from integrations.outbound.services.webhooks import create_webhook
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.integrations.outbound.helpers import mapping, outbound_use_case, start_receiver
from tests.ui.browser.code_editor import fill_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1"]
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def test_outbound_simulation_and_test_send(page, shot, login, receiver):
    from playwright.sync_api import expect

    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    hook = create_webhook(org, {"name": "SAP PI", "url": receiver.url, "headers": {"X-Api-Key": "k-123"}}).webhook
    use_case = outbound_use_case(org, [mapping(hook.pk, '{"contract": contract_number}')])
    login("consultant")

    page.goto(f"/integrations/{use_case.integration_id}/use-cases/{use_case.pk}/")
    page.locator("[data-usecase-editor][data-ready]").wait_for()
    page.get_by_label("Sample event payload").fill('{"contract_number": "C-42", "customer": {"name": "Ada"}}')
    result = page.locator("[data-sim-output]")
    expect(result.get_by_test_id("outbound-body")).to_contain_text('"contract": "C-42"')
    headers = result.get_by_test_id("outbound-headers")
    expect(headers).to_contain_text("webhook-signature")
    expect(headers).to_contain_text("X-Api-Key")
    expect(headers).not_to_contain_text("k-123")
    fill_code(page.get_by_label("JSONata expression of mapping 1"), '{"contract": contract_number, "name": $uppercase(customer.name)}')
    expect(result.get_by_test_id("outbound-body")).to_contain_text('"name": "ADA"')
    shot("01-outbound-simulation")
    assert receiver.requests == []

    page.goto(f"/webhooks/{hook.pk}/")
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_test_id("test-outcome")).to_contain_text("Delivered")
    expect(page.get_by_test_id("request-headers")).to_contain_text("webhook-signature")
    shot("02-test-event")
    assert len(receiver.requests) == 1 and receiver.requests[0].headers["x-api-key"] == "k-123"
