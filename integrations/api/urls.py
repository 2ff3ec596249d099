"""API paths exactly as the contract; one module per area so each stays small."""
from django.urls import include, path

urlpatterns = [
    path("", include("integrations.api.urls_config")),
    path("", include("integrations.api.urls_simulation")),
    path("", include("integrations.api.urls_inbound")),
    path("", include("integrations.api.urls_outbound")),
    path("", include("integrations.api.urls_stream")),
]
