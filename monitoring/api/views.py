"""Monitoring API (paths as the contract)."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration.auth import request_organization
from erpintegration.exceptions import NotFound, ValidationFailed

from .. import selectors
from . import serializers as s


class InboundMonitoringEventsView(APIView):
    @extend_schema(
        operation_id="queryInboundMonitoringEvents",
        request=s.QueryInboundMonitoringEventsRequestSerializer,
        responses={
            200: s.QueryInboundMonitoringEventsResponseSerializer,
            400: OpenApiResponse(description="Invalid filter: {code, message}"),
            404: OpenApiResponse(description="Integration not found"),
        },
    )
    def post(self, request, integrationId):  # the contract's path parameter name
        integration_id = integrationId
        organization = request_organization(request)
        if not selectors.integration_exists(organization.id, integration_id):
            raise NotFound(f"Integration {integration_id} not found")
        if not isinstance(request.data, dict):
            raise ValidationFailed("Request body must be a JSON object")
        serializer = s.QueryInboundMonitoringEventsRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        raw_cursor = data.get("cursor")
        cursor = selectors.InboundCursor(**raw_cursor) if raw_cursor else None
        page = selectors.query_inbound_events(
            org_id=organization.id, integration_id=str(integration_id), filters=data, cursor=cursor,
            limit=data["limit"],
        )
        return Response(
            {
                "data": [selectors.inbound_event_as_contract(row) for row in page.items],
                "next_cursor": page.next_cursor,
                "has_more": page.has_more,
            }
        )
