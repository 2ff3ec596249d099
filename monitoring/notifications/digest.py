"""Digests: a daily or weekly summary at ``timeOfDay`` in the configured timezone (``dayOfWeek`` 0 = Sunday).
A digest is due when its latest scheduled instant has passed and none was sent for it; ``skipIfEmpty`` skips a
period without events, ``includeHealthy: false`` skips one without errors or warnings."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitoring import stats_v2
from monitoring.models import AlertState, NotificationHistory
from monitoring.notifications import channels, config
from monitoring.rows import iso

DIGEST_KEY = "__digest__"


def last_scheduled(digest: dict, now: datetime) -> datetime:
    zone = ZoneInfo(digest["timezone"])
    local = now.astimezone(zone)
    hour, minute = (int(part) for part in digest["timeOfDay"].split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if digest["frequency"] == "weekly":
        wanted = digest.get("dayOfWeek", 1)  # 0 = Sunday
        back = (local.isoweekday() % 7 - wanted) % 7
        candidate -= timedelta(days=back)
        if candidate > local:
            candidate -= timedelta(days=7)
    elif candidate > local:
        candidate -= timedelta(days=1)
    return candidate.astimezone(ZoneInfo("UTC"))


def render(integration: Any, digest: dict, period_start: datetime, now: datetime) -> tuple[str, str, dict]:
    body = stats_v2.stats(org_id=integration.organization_id, integration_id=str(integration.pk), start=period_start,
                          end=now, use_case_types=None, group_by=None)
    title = f"{digest['frequency'].capitalize()} digest for {integration.name}"
    text = (f"{iso(period_start)} – {iso(now)}: {body['total_events']} events, {body['error_count']} errors, "
            f"{body['warning_count']} warnings, success rate {body['success_rate']}%.")
    return title, text, body


def run_if_due(integration: Any, cfg: dict, now: datetime) -> list[NotificationHistory]:
    digest = cfg.get("digest") or {}
    if not digest.get("enabled"):
        return []
    due = last_scheduled(digest, now)
    state, _ = AlertState.objects.get_or_create(integration_id=str(integration.pk), rule_id=DIGEST_KEY,
                                                defaults={"organization_id": integration.organization_id})
    if state.last_fired_at is not None and state.last_fired_at >= due:
        return []
    if state.last_fired_at is None and now - due > timedelta(minutes=10):
        # first run after enabling: start with the next scheduled instant instead of a stale one
        state.last_fired_at = due
        state.save(update_fields=["last_fired_at"])
        return []
    period = timedelta(days=7 if digest["frequency"] == "weekly" else 1)
    title, text, body = render(integration, digest, due - period, due)
    state.last_fired_at = due
    state.last_evaluated_at = now
    state.save(update_fields=["last_fired_at", "last_evaluated_at"])
    if digest.get("skipIfEmpty") and body["total_events"] == 0:
        return []
    if not digest.get("includeHealthy") and body["error_count"] == 0 and body["warning_count"] == 0:
        return []
    history_id = config.new_ulid()
    recipients = [r["user_id"] for r in cfg.get("recipients") or []]
    sent = channels.send(integration.organization_id, recipients, digest.get("channels") or {},
                         channels.Message(kind="digest", severity="info", title=title, body=text,
                                          integration_id=str(integration.pk), history_id=history_id,
                                          link=f"/integrations/{integration.pk}/monitoring/"))
    notified = bool(sent.delivered_to)
    return [NotificationHistory.objects.create(
        id=history_id, organization_id=integration.organization_id, integration_id=str(integration.pk),
        rule_id=DIGEST_KEY, type="integration_digest", state_transition=None, severity="info", title=title,
        occurred_at=now, notified=notified,
        suppressed_reason=None if notified or not sent.opted_out else "recipient_opt_out",
        recipients=sent.delivered_to if notified else recipients,
        context={"period_start": iso(due - period), "period_end": iso(due), **{
            k: body[k] for k in ("total_events", "error_count", "warning_count", "success_rate")}})]
