"""Trace page, search box, notification rules editor (save, errors, preview, test send), alert history,
inbox with unread count; another organisation's integration is a 404."""
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from monitoring import services
from monitoring.models import InboxNotification, NotificationHistory, Source
from monitoring.notifications import config
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(org):
    return IntegrationFactory(organization=org, name="SAP IS-U")


def span(integration, correlation_id, code="", minutes_ago=1, **extra):
    return services.record(org_id=integration.organization_id, integration_id=integration.id, source=Source.SYSTEM,
                           event_id="e-1", code=code, correlation_id=correlation_id, message=f"span {code}",
                           at=timezone.now() - timedelta(minutes=minutes_ago), **extra)


def test_trace_page_lists_spans_oldest_first_on_lanes(ui_client, integration):
    use_case = UseCaseFactory(integration=integration, name="Customers")
    span(integration, "c-1", minutes_ago=3, use_case_id=use_case.id, use_case_type="inbound",
         detail={"outcomes": [{"action": "created", "entity_schema": "contact", "entity_id": "abc"}]})
    span(integration, "c-1", code="WEBHOOK_DELIVERED", minutes_ago=2, use_case_type="outbound")
    span(integration, "c-1", code="EXTERNAL_ERROR", minutes_ago=1, use_case_type="inbound")
    response = ui_client("viewer").get(f"/integrations/{integration.pk}/traces/c-1")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("WEBHOOK_DELIVERED") < html.index("EXTERNAL_ERROR")
    assert 'data-lane="external"' in html and 'data-lane="outbound"' in html and "created <strong>contact" in html


def test_search_box_finds_a_trace_by_event_id(ui_client, integration):
    span(integration, "c-9")
    client = ui_client("viewer")
    response = client.get(f"/integrations/{integration.pk}/traces/", {"q": "e-1"})
    assert response.status_code == 302 and response["Location"].endswith("/traces/c-9")
    assert "c-9" in client.get(f"/integrations/{integration.pk}/traces/").content.decode()


def form(**extra):
    data = {"enabled": "on", "default_email": "on", "default_in_app": "on", "monitored_codes": "_error_",
            "digest_frequency": "daily", "digest_time": "08:00", "digest_timezone": "UTC", "rule_count": "1",
            "rule-0-type": "error_threshold", "rule-0-enabled": "on", "rule-0-threshold": "3", "rule-0-window": "1h"}
    data.update(extra)
    return data


def test_rules_editor_saves_keeps_ids_and_previews(ui_client, integration):
    client = ui_client("editor")
    data = form(recipients=[str(client.user.pk)])
    response = client.post(f"/integrations/{integration.pk}/notifications/", data)
    assert response.status_code == 302
    integration.refresh_from_db()
    saved = integration.settings["notifications"]
    rule_id = saved["rules"][0]["id"]
    assert saved["rules"][0]["threshold"] == 3 and saved["recipients"] == [{"user_id": str(client.user.pk)}]
    for minute in range(4):
        span(integration, "", code="TIMEOUT", minutes_ago=60 * 24 + minute)
    page = client.get(f"/integrations/{integration.pk}/notifications/").content.decode()
    assert f'data-rule-id="{rule_id}"' in page and "fired 1×, recovered 1×" in page
    again = client.post(f"/integrations/{integration.pk}/notifications/",
                        form(**{"rule-0-id": rule_id, "rule-0-threshold": "5", "rule_count": "2"}))
    assert again.status_code == 302
    integration.refresh_from_db()
    assert integration.settings["notifications"]["rules"][0] == {**saved["rules"][0], "threshold": 5}


def test_rules_editor_names_every_bad_field_and_saves_nothing(ui_client, integration):
    response = ui_client("editor").post(f"/integrations/{integration.pk}/notifications/", form(**{
        "rule-0-threshold": "lots", "rule-0-window": "soon", "digest_timezone": "Nowhere/Land"}))
    assert response.status_code == 400
    html = response.content.decode()
    for path in ("rules[0].threshold", "rules[0].window", "digest.timezone"):
        assert f'data-error-path="{path}"' in html
    integration.refresh_from_db()
    assert integration.settings is None


def test_viewers_cannot_save(ui_client, integration):
    assert ui_client("viewer").post(f"/integrations/{integration.pk}/notifications/", form()).status_code == 404


def test_test_send_from_the_editor_reaches_the_inbox_and_email(ui_client, integration):
    client = ui_client("editor")
    client.user.email = "me@example.com"
    client.user.save()
    response = client.post(f"/integrations/{integration.pk}/notifications/test",
                           {"kind": "alert", "type": "critical_error", "email": "on", "in_app": "on"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and InboxNotification.objects.filter(user=client.user).count() == 1
    assert not NotificationHistory.objects.exists()
    inbox = client.get("/inbox/").content.decode()
    assert "[Test]" in inbox and 'data-unread-count>1<' in inbox
    client.post("/inbox/read", {})
    assert 'data-unread-count' not in client.get("/inbox/").content.decode()


def test_history_page_lists_decisions(ui_client, integration):
    NotificationHistory.objects.create(id=config.new_ulid(), organization=integration.organization,
                                       integration_id=str(integration.pk), type="critical_error", severity="error",
                                       title="Errors in SAP IS-U", occurred_at=timezone.now(), notified=False,
                                       suppressed_reason="debounced", recipients=[], context={"observed": 2})
    html = ui_client("viewer").get(f"/integrations/{integration.pk}/notifications/history/").content.decode()
    assert "Errors in SAP IS-U" in html and "debounced" in html


def test_other_organisations_integration_is_404(ui_client):
    foreign = IntegrationFactory(organization=OrganizationFactory())
    client = ui_client("admin")
    for path in ("traces/c", "traces/", "notifications/", "notifications/history/"):
        assert client.get(f"/integrations/{foreign.pk}/{path}").status_code == 404


def test_event_ids_lead_to_their_trace(ui_client, integration):
    span(integration, "c-7")
    response = ui_client("viewer").get("/traces/by-event/e-1")
    assert response.status_code == 302 and response["Location"] == f"/integrations/{integration.pk}/traces/c-7"
    assert ui_client("viewer").get("/traces/by-event/unknown").status_code == 404


def test_a_user_switches_alert_notifications_off_and_on(ui_client):
    from monitoring.models import NotificationPreference

    client = ui_client("viewer")
    assert client.post("/inbox/preference", {}).status_code == 302
    assert NotificationPreference.objects.get(user=client.user).enabled is False
    assert "checked" not in client.get("/inbox/").content.decode().split("Send me alert")[0][-80:]
    client.post("/inbox/preference", {"enabled": "on"})
    assert NotificationPreference.objects.get(user=client.user).enabled is True
