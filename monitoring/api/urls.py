from django.urls import path

from monitoring.api import views, views_notifications, views_v2
from monitoring.api.views_outbound import OutboundMonitoringEventsView

urlpatterns = [
    path(
        "v1/integrations/<str:integrationId>/monitoring/inbound-events",
        views.InboundMonitoringEventsView.as_view(),
        name="monitoring-inbound-events",
    ),
    path("v1/integrations/<str:integrationId>/monitoring/stats", views.MonitoringStatsView.as_view(),
         name="monitoring-stats"),
    path("v1/integrations/<str:integrationId>/monitoring/timeseries", views.MonitoringTimeSeriesView.as_view(),
         name="monitoring-timeseries"),
    path("v1/integrations/<str:integrationId>/monitoring/access-logs", views.AccessLogsView.as_view(),
         name="monitoring-access-logs"),
    path("v1/integrations/<str:integrationId>/monitoring/outbound-events", OutboundMonitoringEventsView.as_view(), name="monitoring-outbound-events"),  # noqa: E501
]

V2 = "v2/integrations/<str:integrationId>/monitoring"
urlpatterns += [
    path(f"{V2}/events", views_v2.MonitoringEventsV2View.as_view(), name="monitoring-v2-events"),
    path(f"{V2}/stats", views_v2.MonitoringStatsV2View.as_view(), name="monitoring-v2-stats"),
    path(f"{V2}/time-series", views_v2.MonitoringTimeSeriesV2View.as_view(), name="monitoring-v2-time-series"),
    path(f"{V2}/events/<str:eventId>/associated", views_v2.AssociatedMonitoringEventsView.as_view(),
         name="monitoring-v2-associated"),
    path(f"{V2}/external-events", views_v2.ExternalMonitoringEventsView.as_view(), name="monitoring-v2-external"),
    path(f"{V2}/traces/<path:correlationId>", views_v2.MonitoringTraceView.as_view(), name="monitoring-v2-trace"),
]

NOTIFICATIONS = "v2/integrations/<str:integrationId>/notifications"
urlpatterns += [
    path(f"{NOTIFICATIONS}/history", views_notifications.NotificationHistoryView.as_view(),
         name="notifications-history"),
    path(f"{NOTIFICATIONS}/test", views_notifications.NotificationTestView.as_view(), name="notifications-test"),
    path(f"{NOTIFICATIONS}/status", views_notifications.NotificationStatusView.as_view(), name="notifications-status"),
]
