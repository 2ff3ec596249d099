"""Routes of the entity store: its read API (an extension of the contract) and its pages."""
from django.urls import include, path

from entities import views
from entities.api.sync_status import DeprecatedEntitySyncStatusView
from entities.api.views import EntityDetailView, EntityListView, MeterReadingListView

page_patterns = [
    path("entities/", views.schema_list, name="list"),
    path("entities/<str:schema>/", views.entity_list, name="schema"),
    path("entities/<str:schema>/<str:entity_id>/", views.entity_detail, name="detail"),
]

urlpatterns = [
    # before entities-detail, which would read it as schema=<entityId>, entity_id="sync-status"
    path("v1/entities/<str:entityId>/sync-status", DeprecatedEntitySyncStatusView.as_view(),
         name="api-entity-sync-status-deprecated"),
    path("v1/entities/<str:schema>", EntityListView.as_view(), name="entities-list"),
    path("v1/entities/<str:schema>/<str:entity_id>", EntityDetailView.as_view(), name="entities-detail"),
    path("v1/meter-readings", MeterReadingListView.as_view(), name="meter-readings-list"),
    path("", include((page_patterns, "ui-entities"))),
    path("", include(("entities.registry_urls", "ui-entity-registry"))),
]
