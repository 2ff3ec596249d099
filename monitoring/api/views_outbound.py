"""queryOutboundMonitoringEvents (path as the contract)."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import request_organization
from erpintegration.exceptions import ValidationFailed
from monitoring import selectors
from monitoring.api import serializers_outbound as s
from monitoring.api.views import _owned_integration_id


class OutboundMonitoringEventsView(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
    @extend_schema(
        operation_id="queryOutboundMonitoringEvents",
        request=s.QueryOutboundMonitoringEventsRequestSerializer,
        responses={
            200: s.QueryOutboundMonitoringEventsResponseSerializer,
            400: OpenApiResponse(description="Invalid filter: {code, message}"),
            404: OpenApiResponse(description="Integration not found"),
        },
        description="Deliveries of the integration's outbound use cases, newest first. Without event_name, every "
        "event_catalog_event of the integration's outbound use cases.",
    )
    def post(self, request, integrationId):  # the contract's path parameter name
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        if not isinstance(request.data, dict):
            raise ValidationFailed("Request body must be a JSON object")
        serializer = s.QueryOutboundMonitoringEventsRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        event_names = [data["event_name"]] if data.get("event_name") else selectors.outbound_event_names(
            organization.id, integration_id
        )
        raw_cursor = data.get("cursor")
        page = selectors.query_outbound_events(
            org_id=organization.id,
            integration_id=integration_id,
            event_names=event_names,
            filters=data,
            cursor=selectors.OutboundCursor(**raw_cursor) if raw_cursor else None,
            limit=data["limit"],
        )
        return Response(
            {
                "data": [selectors.outbound_event_as_contract(row) for row in page.items],
                "next_cursor": page.next_cursor,
                "has_more": page.has_more,
            }
        )
