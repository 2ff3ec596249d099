"""Export and import of use cases (part of namespace ``ui-integrations``, under ``/integrations/``)."""
from django.urls import path

from integrations.transfer import views

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("<str:integration_id>/export/", views.export_download, name="export"),
    path("<str:integration_id>/import/", views.import_upload, name="import-into"),
]
