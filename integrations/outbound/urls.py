"""Outbound pages: webhooks (namespace ``ui-webhooks``, under ``/webhooks/``) and an integration's deliveries
tab (`urls_deliveries.py`)."""
from django.urls import path

from integrations.outbound import views

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_create, name="create"),
    path("<str:webhook_id>/", views.webhook_edit, name="edit"),
    path("<str:webhook_id>/rotate-secret/", views.webhook_rotate, name="rotate"),
    path("<str:webhook_id>/test/", views.webhook_test, name="test"),
    path("<str:webhook_id>/delete/", views.webhook_delete, name="delete"),
]
