"""The monitoring dashboard of an integration: stats cards, time-series charts, breakdowns.

It calls the same functions as getMonitoringStats / getMonitoringTimeSeries (``monitoring.stats``) over
a window picked from a few presets, each with a bucket size well within the 200-bucket limit.
"""
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from erpintegration.exceptions import NotFound
from erpintegration.ui import dashboard
from erpintegration.ui.access import viewer_required
from monitoring import stats

from . import selectors
from .services import webhooks


@viewer_required
def monitoring_dashboard(request, integration_id):
    try:
        integration = selectors.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)
    window = dashboard.window_of(request.GET.get("window"))
    end = timezone.now()
    start = end - window.span
    scope = {"org_id": request.organization.id, "integration_id": str(integration.pk), "start": start, "end": end}
    figures = stats.monitoring_stats(
        **scope, inbound_group_by=["use_case_id", "error_category"], outbound_group_by=["webhook_config_id"]
    )
    series = stats.monitoring_time_series(**scope, interval=window.interval, direction="both")
    use_case_names = {str(uc.pk): uc.name for uc in selectors.list_use_cases(request.organization, integration.pk)}
    webhook_names = {str(wh.pk): wh.name for wh in webhooks.list_webhooks(request.organization)}
    by_use_case = dashboard.fold(figures["inbound"]["breakdown"], "use_case_id")
    for row in by_use_case:
        row["name"] = use_case_names.get(str(row["use_case_id"]))
    by_category = [row for row in dashboard.fold(figures["inbound"]["breakdown"], "error_category")
                   if row["error_category"] is not None]
    by_webhook = figures["outbound"]["breakdown"]
    for row in by_webhook:
        row["name"] = webhook_names.get(str(row["webhook_config_id"]))
        row["last_error_at"] = dashboard.parse_time(row["last_error_at"])
    for side in ("inbound", "outbound"):
        figures[side]["last_error_at"] = dashboard.parse_time(figures[side]["last_error_at"])
    return render(
        request,
        "integrations/monitoring.html",
        {
            "integration": integration,
            "tab": "monitoring",
            "window": window,
            "windows": dashboard.WINDOWS.values(),
            "start": start,
            "end": end,
            "inbound": figures["inbound"],
            "outbound": figures["outbound"],
            "by_use_case": by_use_case,
            "by_category": by_category,
            "by_webhook": by_webhook,
            "inbound_chart": dashboard.stacked_chart(
                series.buckets, "inbound", dashboard.INBOUND_SERIES, window.tick_format),
            "outbound_chart": dashboard.stacked_chart(
                series.buckets, "outbound", dashboard.OUTBOUND_SERIES, window.tick_format),
        },
    )
