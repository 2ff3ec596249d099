"""Documentation page paths, exactly as the contract."""
from django.urls import path

from . import views_documentation as v

urlpatterns = [
    path("v1/integrations/<str:integrationId>/documentation", v.DocumentationPageListView.as_view(),
         name="api-documentation-pages"),
    path("v1/integrations/<str:integrationId>/documentation/<str:docId>", v.DocumentationPageDetailView.as_view(),
         name="api-documentation-page"),
]
