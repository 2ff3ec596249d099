"""Setup pages under ``/integrations/`` (namespace ``ui-integrations``, assembled in ``erpintegration/urls.py``
with the other rooms' per-integration tabs): integrations, use cases, history and diffs, simulation (the
monitoring tab comes from ``monitoring/urls_tab.py``)."""
from django.urls import include, path

from integrations.setup import views, views_documentation, views_maps, views_samples

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

urlpatterns = [
    path("", views.integration_list, name="list"),
    path("new/", views.integration_create, name="create"),
    path("<str:integration_id>/", views.integration_detail, name="detail"),
    path("<str:integration_id>/edit/", views.integration_edit, name="edit"),
    path("<str:integration_id>/delete/", views.integration_delete, name="delete"),
    path("<str:integration_id>/simulate/", views.simulate, name="simulate"),
    path("<str:integration_id>/use-cases/", include(use_case_patterns)),
    path("<str:integration_id>/maps/", views_maps.integration_maps, name="maps"),
    path("<str:integration_id>/documentation/", views_documentation.documentation_index, name="documentation"),
    path("<str:integration_id>/documentation/<str:doc_id>/", views_documentation.documentation_page,
         name="documentation-page"),
    path("<str:integration_id>/documentation/<str:doc_id>/edit/", views_documentation.documentation_edit,
         name="documentation-edit"),
    path("<str:integration_id>/documentation/<str:doc_id>/delete/", views_documentation.documentation_delete,
         name="documentation-delete"),
]
