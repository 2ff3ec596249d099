"""Connectors API paths, exactly as the v1.33 contract (``listSecureProxies`` is served by the setup room)."""
from django.urls import path

from integrations.connectors.api import views as v

WHITELIST = "v2/integrations/<str:integrationId>/use-cases/<str:useCaseId>/secure-proxy-whitelist"

urlpatterns = [
    path("v1/secure-proxy", v.SecureProxyView.as_view(), name="api-secure-proxy"),
    path("v1/managed-call/<str:slug>/execute", v.ManagedCallExecuteView.as_view(), name="api-managed-call-execute"),
    path(WHITELIST, v.SecureProxyWhitelistView.as_view(), name="api-secure-proxy-whitelist"),
    path(f"{WHITELIST}/history", v.SecureProxyWhitelistHistoryView.as_view(), name="api-secure-proxy-history"),
    path("v1/integrations/<str:integrationId>/generate-types-preview", v.GenerateTypesPreviewView.as_view(),
         name="api-generate-types-preview"),
    path("v1/integrations/<str:integrationId>/generate-types", v.GenerateTypesView.as_view(),
         name="api-generate-types"),
    path("v1/integrations/<str:integrationId>/commit-types", v.CommitTypesView.as_view(), name="api-commit-types"),
]
