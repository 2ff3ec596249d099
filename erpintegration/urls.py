"""The project's URLs. Apps are included by dotted name only: ``erpintegration`` imports no app."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView

from erpintegration import views

# The tabs of one integration's pages come from several rooms and apps but share the ``ui-integrations``
# namespace (``{% url 'ui-integrations:deliveries' %}``), so the namespace is assembled here.
integration_pages = [
    path("", include("integrations.transfer.urls")),  # before setup: "import/" is not an integration id
    path("", include("integrations.setup.urls")),
    path("", include("integrations.outbound.urls_simulation")),
    path("", include("integrations.outbound.urls_deliveries")),
    path("", include("integrations.outbound.urls_stream")),
    path("", include("fileproxy.urls_environment")),
    path("", include("monitoring.urls_tab")),
    path("", include("integrations.connectors.urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz-live"),
    path("healthz/ready", views.healthz_ready, name="healthz-ready"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="api-docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="openapi-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("", include("entities.api.urls_sync_status")),  # literal path first: it looks like an integration id
    path("", include("integrations.urls")),
    path("", include("integrations.telemetry.urls")),
    path("", include("entities.urls")),
    path("", include("monitoring.api.urls")),
    path("", include("monitoring.urls")),
    path("", include("fileproxy.urls")),
    path("webhooks/", include(("integrations.outbound.urls", "ui-webhooks"))),
    path("settings/portals/", include(("integrations.setup.urls_portals", "ui-portals"))),
    path("imports/", include(("integrations.imports.urls", "ui-imports"))),
    path("", include(("integrations.inbound.urls", "ui-events"))),
    path("integrations/", include((integration_pages, "ui-integrations"))),
    path("", include("erpintegration.ui.urls")),
]

handler400 = "erpintegration.views.bad_request"
handler404 = "erpintegration.views.not_found"
handler500 = "erpintegration.views.server_error"
