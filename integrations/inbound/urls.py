"""Event browser pages (namespace ``ui-events``)."""
from django.urls import path

from integrations.inbound import views, views_replay

urlpatterns = [
    path("events/", views.event_list, name="all"),
    path("integrations/<str:integration_id>/events/", views.event_list, name="list"),
    path("integrations/<str:integration_id>/events/replay/", views.event_replay, name="replay"),
    path("integrations/<str:integration_id>/events/replay-all/", views_replay.replay_all, name="replay-all"),
    path("integrations/<str:integration_id>/events/replay-jobs/<str:job_id>/", views_replay.replay_job, name="replay-job"),
    path("integrations/<str:integration_id>/events/replay-jobs/<str:job_id>/status/", views_replay.replay_job_status,
         name="replay-job-status"),
    path("integrations/<str:integration_id>/events/<str:event_id>/", views.event_detail, name="detail"),
    path("integrations/<str:integration_id>/events/<str:event_id>/payload/", views.event_payload, name="payload"),
]
