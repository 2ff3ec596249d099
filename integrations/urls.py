"""UI routes of the integrations app (the API routes live in ``integrations/api``)."""
from django.urls import include, path

from . import (
    views,
    views_deliveries,
    views_environment,
    views_metrics,
    views_monitoring,
    views_outbound_simulation,
    views_replay_jobs,
    views_samples,
    views_transfer,
    views_webhooks,
)

use_case_patterns = [
    path("new/", views.use_case_create, name="use-case-create"),
    path("<str:use_case_id>/", views.use_case_editor, name="use-case"),
    path("<str:use_case_id>/toggle/", views.use_case_toggle, name="use-case-toggle"),
    path("<str:use_case_id>/delete/", views.use_case_delete, name="use-case-delete"),
    path("<str:use_case_id>/history/", views.use_case_history, name="history"),
    path("<str:use_case_id>/history/diff/", views.use_case_diff, name="diff"),
    path("<str:use_case_id>/history/<str:history_id>/restore/", views.use_case_restore, name="restore"),
    path("<str:use_case_id>/samples/", views_samples.sample_save, name="sample-save"),
    path("<str:use_case_id>/samples/<str:sample_id>/delete/", views_samples.sample_delete, name="sample-delete"),
]

integration_patterns = [
    path("", views.integration_list, name="list"),
    path("new/", views.integration_create, name="create"),
    path("import/", views_transfer.import_upload, name="import"),
    path("<str:integration_id>/", views.integration_detail, name="detail"),
    path("<str:integration_id>/edit/", views.integration_edit, name="edit"),
    path("<str:integration_id>/delete/", views.integration_delete, name="delete"),
    path("<str:integration_id>/export/", views_transfer.export_download, name="export"),
    path("<str:integration_id>/import/", views_transfer.import_upload, name="import-into"),
    path("<str:integration_id>/simulate/", views.simulate, name="simulate"),
    path("<str:integration_id>/simulate-outbound/", views_outbound_simulation.simulate_outbound, name="simulate-outbound"),
    path("<str:integration_id>/use-cases/", include(use_case_patterns)),
    path("<str:integration_id>/environment/", views_environment.environment_values, name="environment"),
    path("<str:integration_id>/monitoring/", views_monitoring.monitoring_dashboard, name="monitoring"),
    path("<str:integration_id>/deliveries/", views_deliveries.delivery_list, name="deliveries"),
    path("<str:integration_id>/deliveries/<str:row_id>/", views_deliveries.delivery_detail, name="delivery"),
    path("<str:integration_id>/deliveries/<str:row_id>/resend/", views_deliveries.delivery_resend, name="delivery-resend"),
]

event_patterns = [
    path("events/", views.event_list, name="all"),
    path("integrations/<str:integration_id>/events/", views.event_list, name="list"),
    path("integrations/<str:integration_id>/events/replay/", views.event_replay, name="replay"),
    path("integrations/<str:integration_id>/events/replay-all/", views_replay_jobs.replay_all, name="replay-all"),
    path("integrations/<str:integration_id>/events/replay-jobs/<str:job_id>/", views_replay_jobs.replay_job, name="replay-job"),
    path("integrations/<str:integration_id>/events/replay-jobs/<str:job_id>/status/", views_replay_jobs.replay_job_status,
         name="replay-job-status"),
    path("integrations/<str:integration_id>/events/<str:event_id>/", views.event_detail, name="detail"),
    path("integrations/<str:integration_id>/events/<str:event_id>/payload/", views.event_payload, name="payload"),
]

webhook_patterns = [
    path("", views_webhooks.webhook_list, name="list"),
    path("new/", views_webhooks.webhook_create, name="create"),
    path("<str:webhook_id>/", views_webhooks.webhook_edit, name="edit"),
    path("<str:webhook_id>/rotate-secret/", views_webhooks.webhook_rotate, name="rotate"),
    path("<str:webhook_id>/test/", views_webhooks.webhook_test, name="test"),
    path("<str:webhook_id>/delete/", views_webhooks.webhook_delete, name="delete"),
]

urlpatterns = [
    path("metrics", views_metrics.metrics, name="metrics"),
    path("webhooks/", include((webhook_patterns, "ui-webhooks"))),
    path("", include((event_patterns, "ui-events"))),
    path("integrations/", include((integration_patterns, "ui-integrations"))),
]
