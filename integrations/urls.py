"""API routes of the integrations rooms (paths exactly as the contracts). The rooms' pages are mounted in
``erpintegration/urls.py``, because the per-integration tabs of several apps share one URL namespace."""
from django.urls import include, path

urlpatterns = [
    path("", include("integrations.connectors.api.urls")),
    path("", include("integrations.setup.api.urls")),
    path("", include("integrations.inbound.api.urls")),
    path("", include("integrations.outbound.api.urls")),
    path("", include("integrations.imports.api.urls")),
]
