"""getEntitySyncStatus (``/v1/integrations/entities/{entityId}/sync-status``) and its deprecated alias
(``/v1/entities/{entityId}/sync-status``): which integrations synced an entity, and when."""
import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from entities import selectors
from erpintegration import scopes
from erpintegration.auth import HasOrganization, request_organization
from erpintegration.exceptions import ValidationFailed

RESPONSE = inline_serializer("EntitySyncStatusResponse", {
    "entity_id": serializers.UUIDField(),
    "sync_states": serializers.ListField(child=serializers.DictField()),
})


def _uuid(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{name}: must be a UUID", details={name: ["Must be a valid UUID."]}) from None


class EntitySyncStatusView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.VIEW)]

    @extend_schema(
        operation_id="getEntitySyncStatus", tags=["integrations"],
        parameters=[OpenApiParameter("entityId", OpenApiTypes.UUID, OpenApiParameter.PATH),
                    OpenApiParameter("integration_id", OpenApiTypes.UUID, OpenApiParameter.QUERY, required=False)],
        responses={200: RESPONSE, 400: OpenApiResponse(description="entityId or integration_id is not a UUID")},
    )
    def get(self, request, entityId):  # noqa: N803 (contract name)
        organization = request_organization(request)
        entity_id = _uuid(entityId, "entityId")
        raw = request.query_params.get("integration_id")
        integration_id = _uuid(raw, "integration_id") if raw is not None else None
        states = selectors.entity_sync_states(organization, entity_id, integration_id=integration_id)
        return Response({"entity_id": str(entity_id), "sync_states": states})


class DeprecatedEntitySyncStatusView(EntitySyncStatusView):
    """The old path, served as the same operation (the contract keeps it until callers have migrated)."""

    @extend_schema(operation_id="getEntitySyncStatusDeprecated", deprecated=True, tags=["integrations"],
                   parameters=[OpenApiParameter("entityId", OpenApiTypes.UUID, OpenApiParameter.PATH)],
                   responses={200: RESPONSE})
    def get(self, request, entityId):  # noqa: N803
        return super().get(request, entityId)
