"""Monitoring pages: the trace timeline, the notification rules editor (with a 7-day preview and a test send),
the alert history and the in-app inbox. Reads go through selectors; writes through the notification store."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from erpintegration.models import Membership
from erpintegration.ui.access import editor_required, member_required, viewer_required
from monitoring import dashboard as monitoring_dashboard
from monitoring import selectors_v2, timeline
from monitoring.models import MonitoringEvent
from monitoring.notifications import config, forms, preview, queries, store
from monitoring.notifications import inbox as inbox_items
from monitoring.notifications.evaluator import SEVERITY

RULE_TYPES = config.RULE_TYPES


def _integration(request, integration_id):
    integration = store.integration_of(request.organization.id, integration_id)
    if integration is None:
        raise Http404("Integration not found")
    return integration


@viewer_required
def trace(request, integration_id, correlation_id):
    integration = _integration(request, integration_id)
    body = selectors_v2.trace(request.organization.id, str(integration.pk), correlation_id)
    use_cases = {uc["id"]: uc for uc in timeline.use_cases(request.organization.id, str(integration.pk))}
    lanes = timeline.lay_out(body["spans"], use_cases)
    head = body["inbound_event"]
    return render(request, "monitoring/trace.html", {
        "integration": integration, "tab": "traces", "trace": body, "correlation_id": correlation_id,
        "lanes": lanes, "spans": sorted((span for lane in lanes for span in lane["spans"]), key=lambda s: s["index"]),
        "payload_json": json.dumps(head["payload"], indent=2, ensure_ascii=False) if head else "",
    })


@viewer_required
def trace_search(request, integration_id):
    """The search box: a correlation id, or an event id whose rows lead to their correlation id."""
    integration = _integration(request, integration_id)
    query = (request.GET.get("q") or "").strip()
    if query:
        target = timeline.resolve_search(request.organization.id, str(integration.pk), query)
        return redirect("ui-monitoring:trace", integration.pk, target)
    return render(request, "monitoring/trace_search.html", {
        "integration": integration, "tab": "traces",
        "recent": timeline.recent_correlations(request.organization.id, str(integration.pk)),
    })


def _editor_context(request, integration, cfg, errors=None, rows=None):
    members = Membership.objects.filter(organization=request.organization).select_related("user").order_by(
        "user__username")
    use_cases = timeline.use_cases(request.organization.id, str(integration.pk))
    now = timezone.now()
    rules = list(cfg.get("rules") or [])
    previews = {}
    if not errors:
        for rule in rules:
            if rule.get("type") in RULE_TYPES:
                previews[rule.get("id", "")] = preview.preview_rule(
                    request.organization.id, str(integration.pk), cfg, rule, now)
    status = queries.status(org_id=request.organization.id, integration_id=str(integration.pk), cfg=cfg,
                            include_baseline=False)
    states = {entry["rule_id"]: entry for entry in status["rules"]}
    rule_rows = [{"rule": rule, "state": states.get(rule.get("id")), "preview": previews.get(rule.get("id", ""))}
                 for rule in rules]
    return {
        "integration": integration, "tab": "notifications", "cfg": cfg, "rule_rows": rule_rows,
        "blank_rule_index": len(rules), "rule_count": len(rules) + 1, "rule_types": RULE_TYPES,
        "members": members, "use_cases": use_cases, "errors": errors or [], "previews": previews,
        "health": status["health"],
        "recipient_ids": {r["user_id"] for r in cfg.get("recipients") or []},
        "monitored_use_cases": set(cfg.get("monitoredUseCases") or []),
        "sensitivities": config.SENSITIVITIES, "severity": SEVERITY,
        "mute_value": (cfg.get("muteUntil") or "")[:16],
        "can_edit": request.membership.allows("editor"),
    }


@viewer_required
def notifications(request, integration_id):
    integration = _integration(request, integration_id)
    if request.method == "POST":
        if not request.membership.allows("editor"):
            raise Http404("Not allowed")
        raw, rows = forms.parse(request.POST)
        try:
            store.save_config(integration, raw)
        except config.ConfigInvalid as exc:
            errors = [{"path": path, "message": message} for path, message in exc.problems]
            context = _editor_context(request, integration, raw, errors)
            return render(request, "monitoring/notifications.html", context, status=400)
        messages.success(request, "Notification rules saved.")
        return redirect("ui-monitoring:notifications", integration.pk)
    return render(request, "monitoring/notifications.html",
                  _editor_context(request, integration, store.config_of(integration)))


@editor_required
@require_POST
def notifications_test(request, integration_id):
    integration = _integration(request, integration_id)
    kind = request.POST.get("kind") if request.POST.get("kind") in ("alert", "digest") else "alert"
    channels = [name for name in ("email", "in_app") if request.POST.get(name) == "on"] or None
    ok, body = queries.test_send(org_id=request.organization.id, integration=integration,
                                 cfg=store.config_of(integration), user=request.user, kind=kind,
                                 alert_type=request.POST.get("type") or None, channel_names=channels)
    if ok:
        messages.success(request, f"Test {kind} sent to you on {', '.join(body['channels'])}.")
    else:
        messages.error(request, "The test notification could not be sent (check the email settings, or that "
                                "you have an email address and notifications switched on).")
    return redirect("ui-monitoring:notifications", integration.pk)


@viewer_required
def history(request, integration_id):
    integration = _integration(request, integration_id)
    kind = request.GET.get("type") or None
    try:
        page = queries.history(org_id=request.organization.id, integration_id=str(integration.pk),
                               cursor=request.GET.get("cursor") or None, limit=50, kind=kind)
    except queries.BadCursor:
        page = {"history": [], "next_cursor": None}
    return render(request, "monitoring/history.html", {
        "integration": integration, "tab": "notifications", "history": page["history"],
        "next_cursor": page["next_cursor"], "type": kind or "", "types": [*RULE_TYPES, "integration_digest"],
    })


@member_required()
def inbox(request):
    return render(request, "monitoring/inbox.html", {
        "items": inbox_items.items(request.user, request.organization),
        "wants_notifications": inbox_items.wants_notifications(request.user),
    })


@member_required()
@require_POST
def notification_preference(request):
    enabled = request.POST.get("enabled") == "on"
    inbox_items.set_wants_notifications(request.user, enabled)
    messages.success(request, "You will receive alert notifications." if enabled
                     else "Alert notifications to you are switched off.")
    return redirect(reverse("ui-monitoring:inbox"))


@member_required()
@require_POST
def inbox_read(request):
    inbox_items.mark_read(request.user, request.organization, request.POST.get("id") or None)
    return redirect(reverse("ui-monitoring:inbox"))


@viewer_required
def trace_by_event(request, event_id):
    """From any page that knows an event id (events, deliveries, entities): the trace its rows belong to."""
    row = MonitoringEvent.objects.filter(organization_id=request.organization.id, event_id=event_id).exclude(
        correlation_id__isnull=True).exclude(correlation_id="").order_by("completed_at", "id").values(
        "integration_id", "correlation_id").first()
    if row is None or not row["integration_id"]:
        raise Http404("No monitoring rows with a correlation id for this event")
    return redirect("ui-monitoring:trace", row["integration_id"], row["correlation_id"])


@viewer_required
def dashboard(request, integration_id):
    """The monitoring dashboard (v2 levels): presets or a custom from/to range (UTC)."""
    integration = _integration(request, integration_id)
    now = timezone.now()
    error = None
    try:
        start = _parse_local(request.GET.get("from"))
        end = _parse_local(request.GET.get("to"))
        window = monitoring_dashboard.resolve_range(request.GET.get("window"), start, end, now)
    except (ValueError, monitoring_dashboard.RangeInvalid) as exc:
        error = f"Invalid range: {exc}. Showing the last 24 hours."
        window = monitoring_dashboard.resolve_range(None, None, None, now)
    names = {uc["id"]: uc["name"] for uc in timeline.use_cases(request.organization.id, str(integration.pk))}
    figures = monitoring_dashboard.figures(org_id=request.organization.id, integration_id=str(integration.pk),
                                           window=window, use_case_names=names)
    return render(request, "monitoring/dashboard.html", {
        "integration": integration, "tab": "monitoring", "window": window, "presets": monitoring_dashboard.PRESETS,
        "range_error": error, **figures,
    }, status=400 if error else 200)


def _parse_local(text: str | None):
    """A ``datetime-local`` value (or ISO 8601) read as UTC; ``None`` when empty; ValueError when malformed."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
