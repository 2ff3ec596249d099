"""Setup API paths (integrations, use cases, app mappings, mapping simulation), exactly as the contract
(no trailing slashes).

Literal paths under ``v1/integrations/`` (``secure-proxies``, ``entities/...``) must come before the
``<integrationId>`` routes, or ``GET /v1/integrations/secure-proxies`` would look up an integration.
"""
from django.urls import path

from integrations.setup.api import direct
from integrations.setup.api import documentation as docs
from integrations.setup.api import views as v

urlpatterns = [
    path("v1/integrations", v.IntegrationListView.as_view(), name="api-integrations"),
    path("v1/integrations/secure-proxies", v.SecureProxyListView.as_view(), name="api-secure-proxies"),
    path("v1/integrations/<str:integrationId>", v.IntegrationDetailView.as_view(), name="api-integration"),
    path("v1/integrations/<str:integrationId>/use-cases", v.UseCaseListView.as_view(), name="api-use-cases"),
    path(
        "v1/integrations/<str:integrationId>/use-cases/<str:useCaseId>",
        v.UseCaseDetailView.as_view(),
        name="api-use-case",
    ),
    path(
        "v1/integrations/<str:integrationId>/use-cases/<str:useCaseId>/history",
        v.UseCaseHistoryView.as_view(),
        name="api-use-case-history",
    ),
    path("v1/integrations/<str:integrationId>/app-mapping", v.AppMappingView.as_view(), name="api-app-mapping"),
    path("v1/integrations/<str:integrationId>/documentation", docs.DocumentationPageListView.as_view(),
         name="api-documentation-pages"),
    path("v1/integrations/<str:integrationId>/documentation/<str:docId>", docs.DocumentationPageDetailView.as_view(),
         name="api-documentation-page"),
    path("v2/integrations", v.IntegrationV2ListView.as_view(), name="api-v2-integrations"),
    path("v2/integrations/<str:integrationId>", v.IntegrationV2DetailView.as_view(), name="api-v2-integration"),
    path("v2/erp/updates/mapping_simulation", v.SimulateMappingV2View.as_view(), name="simulate-mapping-v2"),
    path("v1/erp/updates/mapping_simulation", v.SimulateMappingV1View.as_view(), name="simulate-mapping"),
    path("v1/erp/updates/direct_simulation", direct.SimulateDirectView.as_view(), name="simulate-direct"),
]
