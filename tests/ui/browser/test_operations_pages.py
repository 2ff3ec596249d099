"""Environment values, the monitoring dashboard, webhooks and outbound deliveries in a real browser."""
from datetime import timedelta

import pytest
from django.utils import timezone

from fileproxy.environment import load_environment
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.monitoring.helpers import inbound, outbound

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "hunter2-very-secret"


@pytest.fixture
def consultant():
    org = OrganizationFactory(name="Stadtwerke Nord")
    MembershipFactory(user=UserFactory(username="consultant"), organization=org, role="editor")
    return org


def test_environment_values(page, shot, login, consultant):
    from playwright.sync_api import expect

    integration = IntegrationFactory(organization=consultant, name="SAP IS-U", environment_config=[
        {"key": "api_base_url", "label": "API base URL", "type": "String", "required": True, "order": 0},
        {"key": "api_password", "label": "API password", "type": "SecretString", "required": True, "order": 1},
    ])
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/")
    page.locator(".integration-tabs").get_by_role("link", name="Environment").click()
    expect(page.get_by_text("Required but not set")).to_be_visible()
    shot("01-not-set")

    page.get_by_label("Value of api_base_url").fill("https://erp.example/api")
    page.get_by_label("Value of api_password").fill(SECRET)
    page.get_by_role("button", name="Save values").click()
    expect(page.get_by_text("api_base_url set, api_password set")).to_be_visible()
    assert SECRET not in page.content()
    assert page.get_by_label("Value of api_password").input_value() == ""
    assert page.get_by_label("Value of api_base_url").input_value() == "https://erp.example/api"
    shot("02-saved")
    assert load_environment(integration).values == {"api_base_url": "https://erp.example/api", "api_password": SECRET}

    page.get_by_label("Clear the stored secret").check()
    page.get_by_role("button", name="Save values").click()
    expect(page.get_by_text("api_password cleared")).to_be_visible()
    assert "api_password" not in load_environment(integration).values

    page.set_viewport_size({"width": 390, "height": 800})
    shot("03-narrow")


def test_monitoring_dashboard(page, shot, login, consultant):
    from playwright.sync_api import expect

    integration = IntegrationFactory(organization=consultant, name="SAP IS-U")
    customers = UseCaseFactory(integration=integration, name="Customers")
    contracts = UseCaseFactory(integration=integration, name="Contracts")
    now = timezone.now()
    for hour in range(0, 24):
        for n in range(hour % 5 + 1):
            inbound(integration, now - timedelta(hours=hour, minutes=n), use_case_id=str(customers.pk))
        if hour % 4 == 1:
            inbound(integration, now - timedelta(hours=hour), status="error", use_case_id=str(contracts.pk))
        if hour % 6 == 2:
            inbound(integration, now - timedelta(hours=hour), status="warning", use_case_id=str(customers.pk),
                    error_category="validation")
        if hour % 3 == 0:
            outbound(integration, now - timedelta(hours=hour), status="succeeded")
        if hour % 7 == 3:
            outbound(integration, now - timedelta(hours=hour), status="failed")
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/")
    page.locator(".integration-tabs").get_by_role("link", name="Monitoring").click()
    expect(page.locator("[data-stat=errors]")).to_have_text("6")
    expect(page.locator("svg[data-chart=chart-levels] .bar")).to_have_count(49)  # 24 h in buckets of 30m
    shot("01-24h")
    page.get_by_role("link", name="7d", exact=True).click()
    expect(page.get_by_text("in buckets of 3h")).to_be_visible()
    shot("02-7d")
    start = (now - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M")
    end = (now - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("From (UTC)").fill(start)
    page.get_by_label("To (UTC)").fill(end)
    page.get_by_role("button", name="Show range").click()
    expect(page.get_by_text("Custom range")).to_be_visible()
    expect(page.get_by_text("in buckets of 5m")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 800})
    page.get_by_role("link", name="24h", exact=True).click()
    shot("03-narrow")


def test_webhooks_and_deliveries(page, shot, login, consultant, settings):
    from playwright.sync_api import expect

    from integrations.models import Webhook
    from integrations.outbound.services.catalog import publish_event
    from tests.integrations.outbound.helpers import mapping, outbound_use_case, start_receiver

    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1"]
    settings.OUTBOUND_DELIVERY_MAX_ATTEMPTS = 1
    receiver = start_receiver()
    try:
        login("consultant")
        page.locator("#sidenav").get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", name="No webhooks yet")).to_be_visible()
        page.get_by_role("link", name="+ New webhook").click()
        page.get_by_label("Name", exact=True).fill("SAP PI")
        page.get_by_label("URL", exact=True).fill(receiver.url)
        page.get_by_label("Name of header 1").fill("X-Api-Key")
        page.get_by_label("Value of header 1").fill("erp-key-123")
        shot("01-new-webhook")
        page.get_by_role("button", name="Create webhook").click()
        secret = page.get_by_label("Signing secret").input_value()
        assert secret.startswith("whsec_")
        shot("02-secret-once")
        page.get_by_role("link", name="Done").click()
        expect(page.get_by_role("cell", name="X-Api-Key")).to_be_visible()
        assert secret not in page.content()
        shot("03-list")

        webhook = Webhook.objects.get()
        assert webhook.signing_secret() == secret and webhook.custom_headers() == {"X-Api-Key": "erp-key-123"}
        page.get_by_role("link", name="Edit").click()
        assert "erp-key-123" not in page.content()
        page.get_by_role("button", name="+ Add header").click()
        page.get_by_label("Header name").fill("X-Tenant")
        page.get_by_label("Header value").fill("nord")
        shot("04-edit")
        page.get_by_role("button", name="Save webhook").click()
        expect(page.get_by_text("Webhook “SAP PI” saved.")).to_be_visible()
        webhook.refresh_from_db()
        assert webhook.custom_headers() == {"X-Api-Key": "erp-key-123", "X-Tenant": "nord"}

        page.get_by_role("link", name="Edit").click()
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Rotate secret").click()
        rotated = page.get_by_label("Signing secret").input_value()
        assert rotated != secret and rotated.startswith("whsec_")

        integration = IntegrationFactory(organization=consultant, name="SAP IS-U")
        outbound_use_case(consultant, [mapping(webhook.pk, name="Contract sync")], integration=integration,
                          name="Contracts")
        receiver.responses = [(503, {"error": "maintenance"})]
        publish_event(consultant, {"event_name": "contract.created", "payload": {"contract_number": "C-1"}})
        page.goto(f"/integrations/{integration.pk}/")
        page.locator(".integration-tabs").get_by_role("link", name="Deliveries").click()
        expect(page.get_by_role("cell", name="failed")).to_be_visible()
        shot("05-deliveries")
        page.get_by_role("row").nth(1).get_by_role("link").first.click()
        expect(page.get_by_text("HTTP 503", exact=True)).to_be_visible()
        shot("06-delivery-failed")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Resend").click()
        expect(page.get_by_text("Resent as a new delivery: succeeded.")).to_be_visible()
        shot("07-resent")
        assert len(receiver.requests) == 2
        page.set_viewport_size({"width": 390, "height": 800})
        page.locator(".integration-tabs").get_by_role("link", name="Deliveries").click()
        shot("08-deliveries-narrow")
        page.goto("/webhooks/")
        shot("09-webhooks-narrow")
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
