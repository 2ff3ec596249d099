"""The 5-minute sweep: measure every enabled rule of every integration with notifications on, move its alert
state (``ok → alerting → recovered → ok``), and notify or record why not (muted, debounced, opted out).

- A rule whose condition holds while ``ok``/``recovered`` fires (``last_fired_at``) and notifies.
- While ``alerting``, new matching rows are recorded as a ``debounced`` decision and nobody is notified again.
- When the condition no longer holds an alerting rule becomes ``recovered`` (``last_cleared_at``); an enabled
  ``recovery`` rule notifies then. The next clear evaluation returns the rule to ``ok``.
- ``success_rate_drop`` with fewer rows than ``minSampleSize`` does not evaluate (``suppressed_reason:
  sample_size``) and keeps its state.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from monitoring import aggregates
from monitoring.models import AlertState, NotificationHistory
from monitoring.notifications import baseline, channels, config, digest, scope
from monitoring.rows import iso

logger = logging.getLogger(__name__)
SEVERITY = {"critical_error": "error", "error_threshold": "error", "warning_threshold": "warning",
            "success_rate_drop": "warning", "silence": "warning", "recovery": "info"}
TITLES = {
    "critical_error": "Errors in {name}",
    "error_threshold": "Error threshold exceeded in {name}",
    "warning_threshold": "Warning threshold exceeded in {name}",
    "success_rate_drop": "Success rate dropped in {name}",
    "silence": "No events from {name}",
}


@dataclass
class Measurement:
    observed: float
    threshold: float | None
    firing: bool
    suppressed_reason: str | None = None
    fresh: int = 0  # matching rows since the last evaluation (debounce decisions)
    baseline: dict | None = None
    window: str | None = None

    def as_evaluation(self, now: datetime) -> dict[str, Any]:
        body: dict[str, Any] = {"evaluated_at": iso(now), "observed": self.observed, "threshold": self.threshold}
        if self.suppressed_reason:
            body["suppressed_reason"] = self.suppressed_reason
        return body


def _count(org_id: str, integration_id: str, wheres: list[dict], start: datetime, end: datetime,
           measures: list[aggregates.Measure] | None = None) -> dict[str, int]:
    measures = measures or [aggregates.Measure("n")]
    totals: dict[str, int] = {m.name: 0 for m in measures}
    if start > end:
        return totals
    for where in wheres:
        values = aggregates.count(org_id=org_id, integration_id=integration_id,
                                  window=aggregates.Window(start, end), measures=measures, where=where)[()]
        for name in totals:
            totals[name] += values.get(name) or 0
    return totals


def measure(org_id: str, integration_id: str, cfg: dict, rule: dict, now: datetime,
            last_evaluated_at: datetime | None) -> Measurement:
    kind = rule["type"]
    wheres = scope.filters(cfg, rule)
    if kind == "silence":
        quiet = config.parse_duration(rule.get("quietPeriod") or config.DEFAULT_QUIET_PERIOD)
        seen = _count(org_id, integration_id, wheres, now - quiet, now)["n"]
        return Measurement(observed=seen, threshold=None, firing=seen == 0)
    window = config.parse_duration(rule.get("window") or config.DEFAULT_WINDOW)
    since = last_evaluated_at if last_evaluated_at is not None else now - window
    if kind == "success_rate_drop":
        counts = _count(org_id, integration_id, wheres, now - window, now, [
            aggregates.Measure("success", where={"level": "success"}),
            aggregates.Measure("outcomes", where={"level__in": ["success", "error", "warning"]}),
        ])
        sample = counts["outcomes"]
        rate = round(counts["success"] * 100.0 / sample, 2) if sample else 100.0
        threshold = float(rule["threshold"])
        if sample < rule.get("minSampleSize", config.DEFAULT_MIN_SAMPLE):
            return Measurement(observed=rate, threshold=threshold, firing=False, suppressed_reason="sample_size")
        fresh = _count(org_id, integration_id, wheres, since, now)["n"] if since < now else 0
        return Measurement(observed=rate, threshold=threshold, firing=rate < threshold, fresh=fresh)
    observed = _count(org_id, integration_id, wheres, now - window, now)["n"]
    fresh = _count(org_id, integration_id, wheres, max(since, now - window), now)["n"] if since < now else 0
    if kind == "critical_error":
        return Measurement(observed=observed, threshold=1, firing=observed >= 1, fresh=fresh)
    if rule.get("threshold") == "auto":
        line = baseline.compute(org_id=org_id, integration_id=integration_id, wheres=wheres,
                                sensitivity=rule.get("sensitivity", "medium"), now=now)
        if line["is_mature"] and line["upper"] is not None:
            per_hour = observed * (timedelta(hours=1) / window)
            return Measurement(observed=round(per_hour, 2), threshold=line["upper"], firing=per_hour > line["upper"],
                               fresh=fresh, baseline=line)
        threshold = float(rule["fallbackThreshold"])
        return Measurement(observed=observed, threshold=threshold, firing=observed >= threshold, fresh=fresh,
                           baseline=line)
    threshold = float(rule["threshold"])
    return Measurement(observed=observed, threshold=threshold, firing=observed >= threshold, fresh=fresh)


def _recipients(cfg: dict) -> list[str]:
    return [r["user_id"] for r in cfg.get("recipients") or []]


def _decide(org_id: str, integration: Any, cfg: dict, *, rule: dict, kind: str, transition: str | None,
            title: str, body: str, context: dict, now: datetime, suppressed: str | None = None) -> NotificationHistory:
    """One history row; notifies unless ``suppressed`` (muted/debounced) or nobody may receive it."""
    history_id = config.new_ulid()
    recipients = _recipients(cfg)
    notified, reason, delivered = False, suppressed, []
    if suppressed is None:
        sent = channels.send(org_id, recipients, rule.get("channels") or cfg.get("defaultChannels") or {},
                             channels.Message(kind="alert", severity=SEVERITY.get(kind, "info"), title=title, body=body,
                                              integration_id=str(integration.pk), history_id=history_id,
                                              link=f"/integrations/{integration.pk}/notifications/history/"))
        delivered = sent.delivered_to
        notified = bool(delivered)
        if not notified and sent.opted_out:
            reason = "recipient_opt_out"
        if sent.failures:
            context = {**context, "delivery_failures": sent.failures}
        if sent.not_members:
            context = {**context, "skipped_non_members": sent.not_members}
    return NotificationHistory.objects.create(
        id=history_id, organization_id=org_id, integration_id=str(integration.pk), rule_id=rule.get("id", ""),
        type=kind, state_transition=transition, severity=SEVERITY.get(kind, "info"), title=title[:500],
        occurred_at=now, notified=notified, suppressed_reason=reason,
        recipients=delivered if notified else recipients, context=context)


def _muted(cfg: dict, now: datetime) -> bool:
    until = config.mute_until(cfg)
    return until is not None and until > now


def evaluate_integration(integration: Any, now: datetime | None = None) -> list[NotificationHistory]:
    """Evaluate every enabled rule of one integration (its configuration is ``settings.notifications``)."""
    now = now or timezone.now()
    cfg = (integration.settings or {}).get("notifications") or {}
    if not cfg.get("enabled"):
        return []
    org_id, integration_id = integration.organization_id, str(integration.pk)
    name = integration.name
    rules = [r for r in cfg.get("rules") or [] if isinstance(r, dict) and r.get("enabled") and r.get("id")]
    recovery = next((r for r in rules if r["type"] == "recovery"), None)
    written: list[NotificationHistory] = []
    for rule in rules:
        if rule["type"] == "recovery":
            continue
        with transaction.atomic():
            state, _ = AlertState.objects.select_for_update().get_or_create(
                integration_id=integration_id, rule_id=rule["id"], defaults={"organization_id": org_id})
            result = measure(org_id, integration_id, cfg, rule, now, state.last_evaluated_at)
            label = rule.get("name") or rule["type"].replace("_", " ")
            context = {"rule_id": rule["id"], "rule_name": label, "observed": result.observed,
                       "threshold": result.threshold, "window": rule.get("window") or rule.get("quietPeriod")}
            title = TITLES[rule["type"]].format(name=name)
            body = (f"{label}: observed {result.observed}"
                    + (f" (threshold {result.threshold})" if result.threshold is not None else "")
                    + f" at {iso(now)}.")
            muted = "muted" if _muted(cfg, now) else None
            if result.suppressed_reason is None:
                if result.firing and state.state in ("ok", "recovered"):
                    transition = f"{state.state.upper()}->ALERTING"
                    state.state, state.last_fired_at = "alerting", now
                    written.append(_decide(org_id, integration, cfg, rule=rule, kind=rule["type"], transition=transition,
                                           title=title, body=body, context=context, now=now, suppressed=muted))
                elif result.firing and result.fresh > 0:
                    written.append(_decide(org_id, integration, cfg, rule=rule, kind=rule["type"], transition=None,
                                           title=title, body=body, context=context, now=now,
                                           suppressed=muted or "debounced"))
                elif not result.firing and state.state == "alerting":
                    state.state, state.last_cleared_at = "recovered", now
                    if recovery is not None:
                        written.append(_decide(
                            org_id, integration, cfg, rule=recovery, kind="recovery", transition="ALERTING->RECOVERED",
                            title=f"Recovered: {label} in {name}", body=f"{label} is back to normal ({body})",
                            context={**context, "recovered_rule_id": rule["id"]}, now=now, suppressed=muted))
                elif not result.firing and state.state == "recovered":
                    state.state = "ok"
            state.last_evaluated_at = now
            state.last_evaluation = result.as_evaluation(now)
            if result.baseline is not None:
                state.baseline = result.baseline
            state.save()
    written.extend(digest.run_if_due(integration, cfg, now))
    return written


def notification_integrations():
    """Integrations whose ``settings.notifications.enabled`` is true (looked up by app label)."""
    model = apps.get_model("integrations", "Integration")
    return [i for i in model.objects.exclude(settings__isnull=True).only("id", "organization_id", "name", "settings")
            if ((i.settings or {}).get("notifications") or {}).get("enabled")]


def evaluate_all(now: datetime | None = None) -> int:
    """The beat task's body: every integration with notifications on; one failing integration never stops the
    others. Returns the number of history rows written."""
    now = now or timezone.now()
    total = 0
    for integration in notification_integrations():
        try:
            total += len(evaluate_integration(integration, now))
        except Exception:
            logger.exception("notification evaluation failed for integration %s", integration.pk)
    return total
