"""The Environment tab of an integration (part of namespace ``ui-integrations``, under ``/integrations/``)."""
from django.urls import path

from fileproxy import views

urlpatterns = [
    path("<str:integration_id>/environment/", views.environment_values, name="environment"),
]
