"""Monitoring pages (server-rendered)."""
from django.urls import path

from monitoring import views

app_name = "ui-monitoring"

urlpatterns = [
    path("integrations/<uuid:integration_id>/traces/", views.trace_search, name="trace-search"),
    path("integrations/<uuid:integration_id>/traces/<path:correlation_id>", views.trace, name="trace"),
    path("integrations/<uuid:integration_id>/notifications/", views.notifications, name="notifications"),
    path("integrations/<uuid:integration_id>/notifications/test", views.notifications_test,
         name="notifications-test"),
    path("integrations/<uuid:integration_id>/notifications/history/", views.history, name="history"),
    path("traces/by-event/<str:event_id>", views.trace_by_event, name="trace-by-event"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read", views.inbox_read, name="inbox-read"),
    path("inbox/preference", views.notification_preference, name="inbox-preference"),
]
