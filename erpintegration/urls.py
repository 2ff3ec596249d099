from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz-live"),
    path("healthz/ready", views.healthz_ready, name="healthz-ready"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="api-docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="openapi-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("", include("integrations.api.urls")),
    path("", include("entities.urls")),
    path("", include("monitoring.api.urls")),
    path("", include("monitoring.urls")),
    path("", include("fileproxy.urls")),
    path("", include("integrations.urls")),
    path("", include("erpintegration.ui.urls")),
    path("", include("erpintegration.ui.entities")),
]

handler400 = "erpintegration.views.bad_request"
handler404 = "erpintegration.views.not_found"
handler500 = "erpintegration.views.server_error"
