"""``/metrics`` (Prometheus)."""
from django.urls import path

from integrations.telemetry import views

urlpatterns = [path("metrics", views.metrics, name="metrics")]
