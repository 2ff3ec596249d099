from django.urls import path

from integrations.inbound.api import views

urlpatterns = [
    path("v1/erp/updates/events", views.EventsV1View.as_view(), name="erp-events-v1"),
    path("v2/erp/updates/events", views.EventsV2View.as_view(), name="erp-events-v2"),
    path("v3/erp/updates/events", views.EventsV3View.as_view(), name="erp-events-v3"),
    path("v1/erp/tracking/acknowledgement", views.AcknowledgeTrackingView.as_view(), name="erp-tracking-ack"),
    path("v1/integrations/<str:integrationId>/events", views.QueryEventsView.as_view(), name="integration-events"),
    path(
        "v1/integrations/<str:integrationId>/events/replay",
        views.ReplayEventsView.as_view(),
        name="integration-events-replay",
    ),
]
