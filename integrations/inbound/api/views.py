"""Inbound API: events v1/v2/v3, queryEvents, replayEvents, acknowledgeTracking (paths as the contract)."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import request_organization
from erpintegration.exceptions import ValidationFailed
from integrations.inbound.api import serializers as s
from integrations.inbound.selectors import event_as_contract, integration_for, query_events
from integrations.inbound.services import accept as inbound
from integrations.inbound.services import tracking

ERROR_RESPONSES = {
    400: OpenApiResponse(description="Invalid request envelope: {code, message}"),
    401: OpenApiResponse(description="Missing or invalid token"),
    404: OpenApiResponse(description="Integration not found: {code, message}"),
}


def _validated(serializer_class, data):
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _EventsView(APIView):
    api_version = "v3"
    # An ERP sends events with a consume-only token; a default token has every scope (docs/scopes.md).
    required_scopes_by_method = {"POST": (scopes.CONSUME,)}

    def post(self, request):
        results = inbound.accept_events(request_organization(request), self.api_version, request.data)
        return Response({"results": results})


class EventsV1View(_EventsView):
    api_version = "v1"

    @extend_schema(
        operation_id="processErpUpdatesEvents",
        deprecated=True,
        request=s.ErpUpdatesEventsV1RequestSerializer,
        responses={200: s.ErpUpdatesResponseSerializer, **ERROR_RESPONSES},
        description="Deprecated: routed through the app mapping (app_id, component_id) to an integration.",
    )
    def post(self, request):
        return super().post(request)


class EventsV2View(_EventsView):
    api_version = "v2"

    @extend_schema(
        operation_id="processErpUpdatesEventsV2",
        deprecated=True,
        request=s.ErpUpdatesEventsV2RequestSerializer,
        responses={200: s.ErpUpdatesResponseSerializer, **ERROR_RESPONSES},
    )
    def post(self, request):
        return super().post(request)


class EventsV3View(_EventsView):
    api_version = "v3"

    @extend_schema(
        operation_id="processErpUpdatesEventsV3",
        request=s.ErpUpdatesEventsV3RequestSerializer,
        responses={200: s.ErpUpdatesResponseSerializer, **ERROR_RESPONSES},
        description="Stores each event and queues it for processing; one result per event "
        "(success = queued, error, skipped = duplicate deduplication_id within 24 h, ignored = no enabled use case).",
    )
    def post(self, request):
        return super().post(request)


class QueryEventsView(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
    @extend_schema(
        operation_id="queryEvents",
        request=s.QueryEventsRequestSerializer,
        responses={200: s.QueryEventsResponseSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, integrationId):  # the contract's path parameter name
        integration_id = integrationId
        integration = integration_for(request_organization(request), integration_id)
        data = _validated(s.QueryEventsRequestSerializer, request.data)
        cursor = data.get("cursor") or {}
        page = query_events(
            integration,
            filters=data,
            cursor_time=cursor.get("event_time"),
            cursor_event_id=cursor.get("event_id"),
            limit=data["limit"],
        )
        return Response(
            {
                "data": [event_as_contract(e) for e in page.items],
                "next_cursor": page.next_cursor,
                "has_more": page.has_more,
            }
        )


class ReplayEventsView(APIView):
    @extend_schema(
        operation_id="replayEvents",
        request=s.ReplayEventsRequestSerializer,
        responses={200: s.ReplayEventsResponseSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, integrationId):  # the contract's path parameter name
        integration_id = integrationId
        organization = request_organization(request)
        integration = integration_for(organization, integration_id)
        data = _validated(s.ReplayEventsRequestSerializer, request.data)
        outcomes = inbound.replay_events(organization, integration.id, data["event_ids"])
        return Response(
            {
                "event_ids": data["event_ids"],
                "replayed": sum(1 for o in outcomes if o.status == "queued"),
                "results": [o.as_dict() for o in outcomes],
            }
        )


class AcknowledgeTrackingView(APIView):
    """Public: no token is needed, the unguessable ``ack_id`` is the capability (docs/inbound.md, queries,
    replay, ACK)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="acknowledgeTracking",
        auth=[],
        request=s.AcknowledgeTrackingRequestSerializer,
        responses={
            200: s.MessageSerializer,
            400: OpenApiResponse(description="Missing ack_id"),
            404: OpenApiResponse(description="Unknown or already acknowledged"),
        },
    )
    def post(self, request):
        body = request.data if isinstance(request.data, dict) else {}
        tracking.acknowledge(body.get("ack_id"))
        return Response({"message": "Tracking record acknowledged"})
