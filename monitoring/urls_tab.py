"""The Monitoring tab of an integration, mounted in the ``ui-integrations`` namespace (``erpintegration/urls.py``)."""
from django.urls import path

from monitoring import views

urlpatterns = [
    path("<uuid:integration_id>/monitoring/", views.dashboard, name="monitoring"),
]
