from django.urls import path

from . import views

urlpatterns = [
    path(
        "v1/integrations/<str:integrationId>/monitoring/inbound-events",
        views.InboundMonitoringEventsView.as_view(),
        name="monitoring-inbound-events",
    ),
]
