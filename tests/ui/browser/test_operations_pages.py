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
    expect(page.locator("[data-stat=inbound-errors]")).to_have_text("6")
    expect(page.locator("svg[data-chart=chart-inbound] .bar")).to_have_count(25)
    shot("01-24h")
    page.get_by_role("link", name="7d", exact=True).click()
    expect(page.get_by_text("in buckets of 3h")).to_be_visible()
    shot("02-7d")
    page.set_viewport_size({"width": 390, "height": 800})
    page.get_by_role("link", name="24h", exact=True).click()
    shot("03-narrow")
