"""The stream tab of an integration (part of namespace ``ui-integrations``, under ``/integrations/``)."""
from django.urls import path

from integrations.outbound import views_stream as views

urlpatterns = [
    path("<str:integration_id>/stream/", views.stream_page, name="stream"),
    path("<str:integration_id>/stream/unblock/", views.stream_unblock, name="stream-unblock"),
    path("<str:integration_id>/stream/redrive/", views.stream_redrive, name="stream-redrive"),
    path("<str:integration_id>/stream/settings/", views.stream_settings, name="stream-settings"),
    path("<str:integration_id>/stream/dlq/<str:message_id>/payload/", views.dlq_payload, name="stream-dlq-payload"),
]
