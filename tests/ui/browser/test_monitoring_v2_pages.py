"""Monitoring v2 in a real browser: the trace timeline of an event that went inbound → entity → outbound,
the notification rules editor round trip, and the inbox showing a fired alert."""
import pytest
from django.test import override_settings
from django.utils import timezone

from integrations.inbound.services.accept import accept_events
from integrations.outbound.services.catalog import publish_event
from monitoring.notifications import config, evaluator
from tests.factories import (
    IntegrationFactory,
    MembershipFactory,
    OrganizationFactory,
    UseCaseFactory,
    UserFactory,
)
from tests.integrations.outbound.helpers import make_webhook, mapping, outbound_use_case, start_receiver
from tests.monitoring.test_notifications import error_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consultant():
    org = OrganizationFactory(name="Stadtwerke Nord")
    user = UserFactory(username="consultant", email="consultant@example.com")
    MembershipFactory(user=user, organization=org, role="editor")
    return org, user


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_HTTP_ALLOWLIST = ["127.0.0.1"]
    settings.OUTBOUND_DELIVERY_TIMEOUT_SECONDS = 2
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def test_trace_timeline_inbound_entity_outbound(page, shot, login, consultant, receiver):
    from playwright.sync_api import expect

    org, _ = consultant
    webhook, _ = make_webhook(org, receiver.url, name="SAP")
    outbound = outbound_use_case(org, [mapping(webhook.id)])
    integration = outbound.integration
    UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")
    accept_events(org, "v3", {"integration_id": str(integration.id), "correlation_id": "order-42", "events": [
        {"event_name": "CustomerChanged", "timestamp": "2026-03-01T08:00:00Z", "format": "json",
         "payload": '{"customerId": "C-1", "firstName": "Ada"}'}]})
    publish_event(org, {"event_name": "contract.created", "payload": {"contract_number": "K-1"},
                        "correlation_id": "order-42"})
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/")
    page.locator(".integration-tabs").get_by_role("link", name="Traces").click()
    page.get_by_label("Correlation id or event id").fill("order-42")
    page.get_by_role("button", name="Find trace").click()
    expect(page.get_by_role("heading", name="Trace order-42")).to_be_visible()
    lanes = page.locator(".trace-lane")
    expect(lanes).to_have_count(2)
    expect(page.locator('[data-lane="inbound"] .trace-dot')).to_have_count(1)
    expect(page.locator('[data-lane="outbound"] .trace-dot')).to_have_count(1)
    spans = page.locator(".trace-span")
    expect(spans.nth(0)).to_contain_text("created contact")
    expect(spans.nth(1)).to_contain_text("WEBHOOK_DELIVERED")
    expect(page.get_by_role("heading", name="Inbound event", exact=True)).to_be_visible()
    shot("01-trace")
    page.locator(".trace-outcomes a").first.click()
    page.wait_for_load_state()
    assert "/entities/contact/" in page.url
    page.get_by_role("link", name="trace").click()
    expect(page.get_by_role("heading", name="Trace order-42")).to_be_visible()


def test_rules_editor_round_trip(page, shot, login, consultant):
    from playwright.sync_api import expect

    org, user = consultant
    integration = IntegrationFactory(organization=org, name="SAP IS-U")
    login("consultant")
    page.goto(f"/integrations/{integration.pk}/")
    page.locator(".integration-tabs").get_by_role("link", name="Notifications").click()
    page.get_by_label("Notifications on").check()
    page.get_by_label("consultant").check()
    new = page.locator("[data-new-rule]")
    new.get_by_label("Type").select_option("error_threshold")
    new.get_by_label("Threshold", exact=True).fill("many")
    new.get_by_label("Window").fill("30m")
    page.get_by_role("button", name="Save rules").click()
    expect(page.locator('[data-error-path="rules[0].threshold"]')).to_be_visible()
    shot("01-error")
    page.locator("[data-rule-row='0']").get_by_label("Threshold", exact=True).fill("5")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_text("Notification rules saved.")).to_be_visible()
    saved = page.locator("[data-rule-id]")
    expect(saved).to_have_count(1)
    rule_id = saved.get_attribute("data-rule-id")
    expect(saved.locator("[data-rule-preview]")).to_contain_text("fired 0×")
    shot("02-saved")
    saved.get_by_label("Threshold", exact=True).fill("7")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_text("Notification rules saved.")).to_be_visible()
    integration.refresh_from_db()
    rules = integration.settings["notifications"]["rules"]
    assert [(r["id"], r["threshold"], r["window"]) for r in rules] == [(rule_id, 7, "30m")]
    assert integration.settings["notifications"]["recipients"] == [{"user_id": str(user.pk)}]


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_inbox_shows_a_fired_alert(page, shot, login, consultant):
    from playwright.sync_api import expect

    org, user = consultant
    cfg = config.validate({
        "enabled": True, "recipients": [{"user_id": str(user.pk)}], "defaultChannels": {"email": True, "in_app": True},
        "rules": [{"type": "critical_error", "enabled": True, "window": "15m"}],
        "digest": {"enabled": False, "frequency": "daily", "timeOfDay": "08:00", "timezone": "UTC",
                   "channels": {"email": False, "in_app": False}, "includeHealthy": False, "skipIfEmpty": True}})
    integration = IntegrationFactory(organization=org, name="SAP IS-U", settings={"notifications": cfg})
    error_row(integration, timezone.now())
    evaluator.evaluate_all()
    login("consultant")
    expect(page.locator("[data-unread-count]")).to_have_text("1")
    page.locator("[data-nav-inbox]").click()
    item = page.locator("[data-inbox-item]").first
    expect(item).to_contain_text("Errors in SAP IS-U")
    shot("01-inbox")
    item.get_by_role("button", name="Mark read").click()
    expect(page.locator("[data-unread-count]")).to_have_count(0)
    page.goto(f"/integrations/{integration.pk}/notifications/history/")
    expect(page.locator("[data-history-row]")).to_have_count(1)
    expect(page.locator("[data-history-row]")).to_contain_text("OK->ALERTING")
    shot("02-history")
