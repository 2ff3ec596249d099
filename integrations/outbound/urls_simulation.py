"""The outbound editor's live simulation (part of namespace ``ui-integrations``, under ``/integrations/``)."""
from django.urls import path

from integrations.outbound import views_simulation

urlpatterns = [
    path("<str:integration_id>/simulate-outbound/", views_simulation.simulate_outbound, name="simulate-outbound"),
]
