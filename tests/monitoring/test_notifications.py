"""Notifications: settings.notifications validation on v1/v2 integration writes, the evaluator's state machine
(fires once, debounced, recovers once; muted; opted out; sample size; silence; auto baseline), history, status,
test send, digests."""
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from erpintegration.tokens import issue_token
from monitoring import services
from monitoring.models import (
    InboxNotification,
    MonitoringEvent,
    NotificationHistory,
    NotificationPreference,
    Source,
)
from monitoring.notifications import config, evaluator
from tests.conftest import make_api_persona
from tests.factories import IntegrationFactory, MembershipFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def notifications(**overrides):
    body = {
        "enabled": True, "recipients": [], "defaultChannels": {"email": True, "in_app": True},
        "rules": [{"id": "rule-critical", "type": "critical_error", "enabled": True, "window": "15m"},
                  {"type": "recovery", "enabled": True}],
        "digest": {"enabled": False, "frequency": "daily", "timeOfDay": "08:00", "timezone": "Europe/Berlin",
                   "channels": {"email": True, "in_app": False}, "includeHealthy": False, "skipIfEmpty": True},
    }
    body.update(overrides)
    return body


def stored(**overrides):
    return config.validate(notifications(**overrides))


@pytest.fixture
def member(owner):
    return MembershipFactory(organization=owner.organization, role="admin", user__email="ops@example.com")


@pytest.fixture
def integration(owner, member):
    cfg = stored(recipients=[{"user_id": str(member.user.pk)}])
    return IntegrationFactory(organization=owner.organization, settings={"notifications": cfg})


def error_row(integration, at, code="MAPPING_EXPRESSION_FAILED"):
    services.record(org_id=integration.organization_id, integration_id=integration.id, source=Source.INBOUND,
                    event_id=f"e-{at.timestamp()}", code=code, use_case_type="inbound", message="boom", at=at)


def put_settings(persona, integration, cfg, version="v1"):
    url = f"/{version}/integrations/{integration.id}"
    return persona.client.put(url, {"name": integration.name, "settings": {"notifications": cfg}}, format="json")


def test_rules_get_ulids_that_survive_saves_and_unknown_keys_are_stripped(owner):
    integration = IntegrationFactory(organization=owner.organization)
    cfg = notifications(rules=[{"type": "error_threshold", "enabled": True, "threshold": 5, "bogus": 1},
                               {"id": "keep-me", "type": "silence", "enabled": True, "quietPeriod": "2h"}],
                        futureKey={"x": 1})
    response = put_settings(owner, integration, cfg)
    assert response.status_code == 200, response.json()
    saved = response.json()["settings"]["notifications"]
    minted = saved["rules"][0]["id"]
    assert len(minted) == 26 and saved["rules"][1]["id"] == "keep-me"
    assert "futureKey" not in saved and "bogus" not in saved["rules"][0]
    again = put_settings(owner, integration, saved, version="v2").json()
    assert [r["id"] for r in again["settings"]["notifications"]["rules"]] == [minted, "keep-me"]
    got = owner.client.get(f"/v2/integrations/{integration.id}").json()
    assert got["settings"]["notifications"]["rules"][0]["id"] == minted


@pytest.mark.parametrize("change, field", [
    ({"enabled": "yes"}, "enabled"),
    ({"recipients": [{"user": 1}]}, "recipients[0].user_id"),
    ({"defaultChannels": {"email": True}}, "defaultChannels.in_app"),
    ({"monitoredCodes": ["NOT_A_CODE"]}, "monitoredCodes[0]"),
    ({"rules": [{"type": "error_threshold", "enabled": True}]}, "rules[0].threshold"),
    ({"rules": [{"type": "loud", "enabled": True}]}, "rules[0].type"),
    ({"rules": [{"type": "critical_error"}]}, "rules[0].enabled"),
    ({"rules": [{"type": "error_threshold", "enabled": True, "threshold": 3, "window": "3 weeks"}]}, "rules[0].window"),
    ({"rules": [{"type": "error_threshold", "enabled": True, "threshold": "auto"}]}, "rules[0].fallbackThreshold"),
    ({"rules": [{"type": "success_rate_drop", "enabled": True, "threshold": 140}]}, "rules[0].threshold"),
    ({"rules": [{"type": "success_rate_drop", "enabled": True, "threshold": 90, "minSampleSize": 0}]},
     "rules[0].minSampleSize"),
    ({"rules": [{"type": "recovery", "enabled": True, "codes": ["_error_"]}]}, "rules[0].codes"),
    ({"rules": [{"type": "silence", "enabled": True, "quietPeriod": "forever"}]}, "rules[0].quietPeriod"),
    ({"rules": [{"type": "critical_error", "enabled": True, "sensitivity": "extreme"}]}, "rules[0].sensitivity"),
    ({"rules": [{"type": "critical_error", "enabled": True, "channels": {"email": 1, "in_app": True}}]},
     "rules[0].channels.email"),
    ({"rules": [{"id": "a", "type": "critical_error", "enabled": True}] * 2}, "rules[1].id"),
    ({"rules": [{"type": "critical_error", "enabled": True}] * 21}, "rules: at most 20"),
    ({"digest": {"enabled": True}}, "digest.frequency"),
    ({"digest": {**notifications()["digest"], "timezone": "Mars/Olympus"}}, "digest.timezone"),
    ({"digest": {**notifications()["digest"], "timeOfDay": "8am"}}, "digest.timeOfDay"),
    ({"digest": {**notifications()["digest"], "frequency": "weekly", "dayOfWeek": 7}}, "digest.dayOfWeek"),
    ({"muteUntil": "tomorrow"}, "muteUntil"),
])
def test_every_invalid_field_is_named_in_a_400(owner, change, field):
    integration = IntegrationFactory(organization=owner.organization)
    response = put_settings(owner, integration, notifications(**change))
    assert response.status_code == 400
    assert field in response.json()["message"], response.json()
    integration.refresh_from_db()
    assert integration.settings is None  # nothing half-written


def run(integration, at):
    integration.refresh_from_db()
    return evaluator.evaluate_integration(integration, at)


def test_fires_once_is_debounced_recovers_once_with_email_and_inbox(owner, integration, member):
    error_row(integration, NOW - timedelta(minutes=1))
    [fired] = run(integration, NOW)
    assert (fired.type, fired.state_transition, fired.notified) == ("critical_error", "OK->ALERTING", True)
    assert fired.recipients == [str(member.user.pk)]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ops@example.com"]
    assert InboxNotification.objects.filter(user=member.user, read_at__isnull=True).count() == 1
    error_row(integration, NOW + timedelta(minutes=3))
    [debounced] = run(integration, NOW + timedelta(minutes=5))
    assert (debounced.notified, debounced.suppressed_reason) == (False, "debounced")
    assert run(integration, NOW + timedelta(minutes=10)) == []  # still alerting, nothing new: no decision
    [recovered] = run(integration, NOW + timedelta(minutes=25))
    assert (recovered.type, recovered.state_transition, recovered.notified) == ("recovery", "ALERTING->RECOVERED",
                                                                                 True)
    assert len(mail.outbox) == 2 and "Recovered" in mail.outbox[1].subject
    assert run(integration, NOW + timedelta(minutes=30)) == []
    status = owner.client.get(f"/v2/integrations/{integration.id}/notifications/status")
    assert_matches_contract("getNotificationStatus", status)
    rule = status.json()["rules"][0]
    assert rule["state"] == "ok" and rule["last_fired_at"] == "2026-03-10T12:00:00Z"
    assert rule["last_cleared_at"] == "2026-03-10T12:25:00Z" and rule["last_evaluation"]["observed"] == 0
    assert status.json()["health"] == "healthy"


def test_muted_and_opted_out_are_recorded_not_sent(owner, integration, member):
    cfg = integration.settings["notifications"]
    integration.settings = {"notifications": {**cfg, "muteUntil": "2026-03-10T13:00:00Z"}}
    integration.save()
    error_row(integration, NOW - timedelta(minutes=1))
    [muted] = run(integration, NOW)
    assert (muted.notified, muted.suppressed_reason) == (False, "muted") and mail.outbox == []
    integration.settings = {"notifications": cfg}
    integration.save()
    run(integration, NOW + timedelta(minutes=20))  # recovers (not muted any more: notified)
    NotificationPreference.objects.create(user=member.user, enabled=False)
    error_row(integration, NOW + timedelta(minutes=29))
    [opted] = run(integration, NOW + timedelta(minutes=30))
    assert (opted.notified, opted.suppressed_reason) == (False, "recipient_opt_out")


def test_success_rate_needs_its_sample_and_silence_fires_without_events(owner, integration):
    cfg = integration.settings["notifications"]
    cfg["rules"] = [{"id": "rate", "type": "success_rate_drop", "enabled": True, "threshold": 90, "window": "1h",
                     "minSampleSize": 5},
                    {"id": "quiet", "type": "silence", "enabled": True, "quietPeriod": "1h"}]
    integration.settings = {"notifications": cfg}
    integration.save()
    error_row(integration, NOW - timedelta(minutes=5))
    decisions = run(integration, NOW)
    assert [d.type for d in decisions] == []
    status = owner.client.get(f"/v2/integrations/{integration.id}/notifications/status").json()
    by_id = {r["rule_id"]: r for r in status["rules"]}
    assert by_id["rate"]["last_evaluation"]["suppressed_reason"] == "sample_size"
    assert by_id["quiet"]["state"] == "ok"
    [silent] = run(integration, NOW + timedelta(hours=2))
    assert (silent.type, silent.state_transition) == ("silence", "OK->ALERTING")


def test_auto_threshold_uses_fallback_until_mature_then_the_baseline(owner, integration):
    cfg = integration.settings["notifications"]
    cfg["rules"] = [{"id": "auto", "type": "error_threshold", "enabled": True, "threshold": "auto",
                     "fallbackThreshold": 3, "window": "1h", "sensitivity": "high"}]
    integration.settings = {"notifications": cfg}
    integration.save()
    error_row(integration, NOW - timedelta(minutes=5))
    assert run(integration, NOW) == []
    status = owner.client.get(f"/v2/integrations/{integration.id}/notifications/status?include=baseline_series")
    assert_matches_contract("getNotificationStatus", status)
    rule = status.json()["rules"][0]
    assert rule["baseline"]["is_mature"] is False and rule["last_evaluation"]["threshold"] == 3
    # three weeks of one error an hour: mature; 20 errors in the next hour is an anomaly
    start = NOW - timedelta(days=21)
    rows = [services.build(org_id=integration.organization_id, integration_id=integration.id, source=Source.INBOUND,
                           event_id=f"h{n}", code="TIMEOUT", at=start + timedelta(hours=n, minutes=30))
            for n in range(21 * 24)]
    services.record_many(rows)
    later = NOW + timedelta(days=7)
    for n in range(20):
        error_row(integration, later - timedelta(minutes=50 - n))
    [fired] = run(integration, later)
    assert fired.state_transition == "OK->ALERTING"
    rule = owner.client.get(f"/v2/integrations/{integration.id}/notifications/status?include=baseline_series"
                            ).json()["rules"][0]
    assert rule["baseline"]["is_mature"] is True and len(rule["baseline"]["buckets"]) == 168
    assert rule["baseline"]["median"] == 1.0 and rule["baseline"]["upper"] == 3.0


def test_history_pages_newest_first_with_clamped_limit_and_type_filter(owner, integration):
    for minute in range(5):
        NotificationHistory.objects.create(
            id=f"01H{minute:023d}", organization=owner.organization, integration_id=str(integration.id),
            type="critical_error" if minute % 2 else "silence", severity="error", title=f"t{minute}",
            occurred_at=NOW + timedelta(minutes=minute), notified=True, recipients=["1"], context={})
    url = f"/v2/integrations/{integration.id}/notifications/history"
    first = owner.client.get(url, {"limit": 2})
    assert_matches_contract("listNotificationHistory", first)
    assert [h["title"] for h in first.json()["history"]] == ["t4", "t3"]
    second = owner.client.get(url, {"limit": 2, "cursor": first.json()["next_cursor"]}).json()
    assert [h["title"] for h in second["history"]] == ["t2", "t1"]
    assert len(owner.client.get(url, {"limit": 1000}).json()["history"]) == 5
    assert [h["title"] for h in owner.client.get(url, {"type": "silence"}).json()["history"]] == ["t4", "t2", "t0"]
    assert owner.client.get(url, {"cursor": "!!"}).status_code == 400
    assert owner.client.get(url, {"limit": 0}).status_code == 400


def test_test_send_goes_to_the_caller_only_and_writes_no_history(owner, integration, member):
    issued = issue_token(owner.organization, "mine", created_by=member.user)
    persona = make_api_persona(owner.organization)
    persona.client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    url = f"/v2/integrations/{integration.id}/notifications/test"
    response = persona.client.post(url, {"kind": "alert", "type": "error_threshold"}, format="json")
    assert response.status_code == 202
    assert_matches_contract("testSendNotification", response)
    assert response.json() == {"sent": True, "recipient": str(member.user.pk), "channels": ["email", "in_app"],
                               "notification_id": None}
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("[Test]")
    assert not NotificationHistory.objects.exists()
    digest = persona.client.post(url, {"kind": "digest", "channels": ["in_app"]}, format="json")
    assert digest.status_code == 202 and digest.json()["channels"] == ["in_app"]
    assert persona.client.post(url, {"kind": "sms"}, format="json").status_code == 400
    assert owner.client.post(url, {"kind": "alert"}, format="json").status_code == 400  # token without a user


def test_test_send_answers_502_when_the_mail_backend_fails(owner, integration, member, settings):
    settings.EMAIL_BACKEND = "tests.monitoring.failing_mail.Backend"
    issued = issue_token(owner.organization, "mine", created_by=member.user)
    persona = make_api_persona(owner.organization)
    persona.client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    response = persona.client.post(f"/v2/integrations/{integration.id}/notifications/test",
                                   {"kind": "alert", "channels": ["email"]}, format="json")
    assert response.status_code == 502 and response.json()["sent"] is False


def test_daily_digest_is_sent_once_at_its_local_time(owner, integration, member):
    cfg = integration.settings["notifications"]
    cfg["digest"] = {**cfg["digest"], "enabled": True, "includeHealthy": True, "skipIfEmpty": False}
    cfg["rules"] = []
    integration.settings = {"notifications": cfg}
    integration.save()
    first = datetime(2026, 3, 10, 7, 2, tzinfo=UTC)  # 08:02 in Berlin
    [digest] = run(integration, first)
    assert digest.type == "integration_digest" and digest.notified is True
    assert run(integration, first + timedelta(minutes=5)) == []
    assert run(integration, first + timedelta(days=1)) != []


def test_other_organisations_get_404(other_org, integration):
    for path in ("history", "status"):
        assert other_org.client.get(f"/v2/integrations/{integration.id}/notifications/{path}").status_code == 404
    assert MonitoringEvent.objects.count() == 0
