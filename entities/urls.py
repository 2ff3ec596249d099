"""Read API of the entity store (extension of the contract)."""
from django.urls import path

from entities.api.sync_status import DeprecatedEntitySyncStatusView
from entities.api.views import EntityDetailView, EntityListView, MeterReadingListView

urlpatterns = [
    # before entities-detail, which would read it as schema=<entityId>, entity_id="sync-status"
    path("v1/entities/<str:entityId>/sync-status", DeprecatedEntitySyncStatusView.as_view(),
         name="api-entity-sync-status-deprecated"),
    path("v1/entities/<str:schema>", EntityListView.as_view(), name="entities-list"),
    path("v1/entities/<str:schema>/<str:entity_id>", EntityDetailView.as_view(), name="entities-detail"),
    path("v1/meter-readings", MeterReadingListView.as_view(), name="meter-readings-list"),
]
