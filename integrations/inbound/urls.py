"""Event browser pages (namespace ``ui-events``)."""
from django.urls import path

from integrations.inbound import views

urlpatterns = [
    path("events/", views.event_list, name="all"),
    path("integrations/<str:integration_id>/events/", views.event_list, name="list"),
    path("integrations/<str:integration_id>/events/replay/", views.event_replay, name="replay"),
    path("integrations/<str:integration_id>/events/<str:event_id>/", views.event_detail, name="detail"),
    path("integrations/<str:integration_id>/events/<str:event_id>/payload/", views.event_payload, name="payload"),
]
