"""What the notification operations answer: history pages, rule status, and the test send."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from erpintegration.lib.paging import keyset_page
from monitoring.models import AlertState, NotificationHistory
from monitoring.notifications import channels, config, digest, evaluator
from monitoring.rows import iso

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


class BadCursor(ValueError):
    pass


def encode_cursor(row: NotificationHistory) -> str:
    raw = json.dumps({"o": iso(row.occurred_at), "i": row.id}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(text: str) -> tuple[datetime, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(text.encode()))
        moment = parse_datetime(data["o"])
        if moment is None or not isinstance(data["i"], str):
            raise ValueError
        return moment, data["i"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadCursor("cursor is not a next_cursor from this server") from exc


def history_item(row: NotificationHistory) -> dict[str, Any]:
    """``suppressed_reason`` only when the decision was suppressed (the contract's enum has no null)."""
    body = {
        "id": row.id, "type": row.type, "state_transition": row.state_transition, "severity": row.severity,
        "title": row.title, "occurred_at": iso(row.occurred_at), "notified": row.notified,
        "recipients": list(row.recipients or []), "context": row.context or {}, "created_at": iso(row.created_at),
    }
    if row.suppressed_reason:
        body["suppressed_reason"] = row.suppressed_reason
    return body


def history(*, org_id: str, integration_id: str, cursor: str | None, limit: int, kind: str | None) -> dict:
    """Newest first; ``limit`` above 100 is clamped."""
    limit = min(limit, MAX_LIMIT)
    qs = NotificationHistory.objects.filter(organization_id=org_id, integration_id=integration_id)
    if kind:
        qs = qs.filter(type=kind)
    rows, more = keyset_page(qs, ("occurred_at", "id"), decode_cursor(cursor) if cursor else None, limit)
    return {"history": [history_item(row) for row in rows], "next_cursor": encode_cursor(rows[-1]) if more else None}


def status(*, org_id: str, integration_id: str, cfg: dict, include_baseline: bool,
           now: datetime | None = None) -> dict:
    now = now or timezone.now()
    states = {s.rule_id: s for s in AlertState.objects.filter(organization_id=org_id, integration_id=integration_id)}
    rules, alerting, evaluated = [], False, []
    for rule in cfg.get("rules") or []:
        if not isinstance(rule, dict) or not rule.get("id"):
            continue  # written around the API: a rule without its stable id has no state
        state = states.get(rule["id"])
        entry: dict[str, Any] = {
            "rule_id": rule["id"],
            "state": state.state if state else "ok",
            "last_fired_at": iso(state.last_fired_at) if state else None,
            "last_cleared_at": iso(state.last_cleared_at) if state else None,
            "last_evaluation": state.last_evaluation if state else None,
            "baseline": None,
        }
        if rule.get("enabled") and rule.get("threshold") == "auto":
            line = dict(state.baseline) if state and state.baseline else {"is_mature": False, "computed_at": None,
                                                                          "median": None, "mad": None, "upper": None}
            if include_baseline:
                line.setdefault("buckets", [])
            else:
                line.pop("buckets", None)
            entry["baseline"] = line
        alerting = alerting or entry["state"] == "alerting"
        if state and state.last_evaluated_at:
            evaluated.append(state.last_evaluated_at)
        rules.append(entry)
    until = config.mute_until(cfg)
    health = "muted" if until is not None and until > now else "alerting" if alerting else "healthy"
    return {"health": health, "evaluated_at": iso(max(evaluated)) if evaluated else None, "rules": rules}


class NoCaller(ValueError):
    pass


def test_send(*, org_id: str, integration: Any, cfg: dict, user, kind: str, alert_type: str | None,
              channel_names: list[str] | None) -> tuple[bool, dict]:
    """Render one representative notification and send it to ``user`` only; no history row."""
    if user is None:
        raise NoCaller("this token has no user behind it (create the token as a user to receive a test)")
    if channel_names:
        wanted = {"email": "email" in channel_names, "in_app": "in_app" in channel_names}
    else:
        wanted = dict(cfg.get("defaultChannels") or {"email": True, "in_app": True})
        if kind == "digest" and (cfg.get("digest") or {}).get("channels"):
            wanted = dict(cfg["digest"]["channels"])
    names = [name for name in ("email", "in_app") if wanted.get(name)]
    if kind == "digest":
        now = timezone.now()
        title, body, _ = digest.render(integration, {"frequency": "daily"}, now - timedelta(days=1), now)
        title = f"[Test] {title}"
    else:
        kind_name = alert_type or "critical_error"
        title = "[Test] " + evaluator.TITLES.get(kind_name, "Alert for {name}").format(name=integration.name)
        body = f"This is a test of the {kind_name} notification of {integration.name}."
    user_id = str(user.pk)
    # the caller is the only recipient; membership and opt-out are checked like any send
    sent = channels.send(org_id, [user_id], wanted, channels.Message(
        kind="test", severity="info", title=title, body=body, integration_id=str(integration.pk),
        link=f"/integrations/{integration.pk}/notifications/"))
    ok = bool(names) and user_id in sent.delivered_to and not sent.failures
    return ok, {"sent": ok, "recipient": user_id, "channels": names, "notification_id": None}
