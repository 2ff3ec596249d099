"""simulateDirect: parse the request, call the direct simulation service, render."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration.auth import request_organization
from integrations.setup.api.views import ObjectField, PayloadField
from integrations.setup.services.simulation import simulate_direct


class DirectSimulationRequestSerializer(serializers.Serializer):
    event_configuration = ObjectField()
    payload = PayloadField()


_RESPONSE = inline_serializer(
    "DirectSimulationResponse",
    {
        "valid": serializers.BooleanField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        "warnings": serializers.ListField(child=serializers.DictField(), required=False),
        "entity_updates": serializers.ListField(child=serializers.DictField(), required=False),
        "meter_reading_updates": serializers.ListField(child=serializers.DictField(), required=False),
    },
)


class SimulateDirectView(APIView):
    @extend_schema(
        operation_id="simulateDirect",
        tags=["erp"],
        summary="simulateDirect",
        description="Validate a DirectPayload against a `direct: true` inbound configuration and preview the "
                    "entity and meter-reading updates, persisting nothing. All errors are collected, each with "
                    "the path of the offending element and its operation index.",
        request=DirectSimulationRequestSerializer,
        responses={
            200: _RESPONSE,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Malformed request, or direct is not true"),
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="Missing or invalid token"),
            422: OpenApiResponse(OpenApiTypes.OBJECT, description="The configuration is invalid"),
        },
    )
    def post(self, request):
        request_organization(request)
        serializer = DirectSimulationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(simulate_direct(**serializer.validated_data))
