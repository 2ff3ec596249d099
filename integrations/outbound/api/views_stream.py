"""Pollable outbound: poll and ack (``integration:consume``), DLQ, redrive and unblock (``integration:manage``)."""
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import HasOrganization, request_organization
from integrations.outbound.api import serializers_stream as s
from integrations.outbound.services import stream as outbound_stream

TAGS = ["outbound"]
ERRORS = {
    400: OpenApiResponse(description="Invalid request: {code, message} naming the field"),
    401: OpenApiResponse(description="Missing or invalid token"),
    403: OpenApiResponse(description="The token lacks the required scope"),
    404: OpenApiResponse(description="Integration not found (or another organisation's)"),
}


class PollView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.CONSUME)]

    @extend_schema(operation_id="pollOutboundMessages", tags=TAGS, request=s.PollRequestSerializer,
                   responses={200: s.PollResponseSerializer, **ERRORS},
                   description="Leases the head-of-line run of the integration's stream. One lease per stream: "
                   "while it is active (or another poll wins the race) the batch is empty.")
    def post(self, request, integrationId):
        return Response(outbound_stream.poll(request_organization(request), integrationId, request.data))


class AckView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.CONSUME)]

    @extend_schema(operation_id="ackOutboundMessages", tags=TAGS, request=s.AckRequestSerializer,
                   responses={200: s.AckResponseSerializer, **ERRORS},
                   description="Per id: accepted, or rejected with not_found, stale_lease or out_of_order "
                   "(acks must be a prefix of the leased batch).")
    def post(self, request, integrationId):
        return Response(outbound_stream.ack(request_organization(request), integrationId, request.data))


class DlqListView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.MANAGE)]

    @extend_schema(operation_id="listOutboundDlqMessages", tags=TAGS,
                   parameters=[OpenApiParameter("limit", int, description="1-100, default 25"),
                               OpenApiParameter("next_token", str, description="From the previous page")],
                   responses={200: s.DlqListSerializer, **ERRORS},
                   description="Dead-lettered messages, oldest first, without payloads.")
    def get(self, request, integrationId):
        return Response(outbound_stream.list_dlq(request_organization(request), integrationId,
                                                 request.query_params))


class RedriveView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.MANAGE)]

    @extend_schema(operation_id="redriveOutboundDlqMessages", tags=TAGS, request=s.RedriveRequestSerializer,
                   responses={200: s.RedriveResponseSerializer, **ERRORS},
                   description="Re-enqueues DLQ entries at the tail with new ids; per id redriven or not_found.")
    def post(self, request, integrationId):
        return Response(outbound_stream.redrive(request_organization(request), integrationId, request.data))


class UnblockView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.MANAGE)]

    @extend_schema(operation_id="unblockOutboundStream", tags=TAGS, request=s.UnblockRequestSerializer,
                   responses={200: s.UnblockResponseSerializer, **ERRORS},
                   description="Dead-letters the blocked head; unblocked:false when not blocked (safe to retry).")
    def post(self, request, integrationId):
        return Response(outbound_stream.unblock(request_organization(request), integrationId, request.data))
