"""getEntitySyncStatus. Included before the integration routes: the literal ``integrations/entities/...``
must never be read as an integration id (docs/entity-sync-status.md)."""
from django.urls import path

from .sync_status import EntitySyncStatusView

urlpatterns = [
    path("v1/integrations/entities/<str:entityId>/sync-status", EntitySyncStatusView.as_view(),
         name="api-entity-sync-status"),
]
