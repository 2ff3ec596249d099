from django.urls import path

from monitoring.api import views
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
