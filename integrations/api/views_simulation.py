"""simulateMappingV2 and simulateMapping: parse the request, call the simulation service, render."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration.auth import request_organization
from integrations import selectors
from integrations.mapping.payload import FORMATS
from integrations.services.mapping_environment import load_mapping_environment
from integrations.services.simulation import simulate_mapping, simulate_mapping_v2


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": True}]})
class PayloadField(serializers.Field):
    """A serialized payload (string) or a JSON object (``MappingSimulation*Request.payload``)."""

    default_error_messages = {"invalid": "must be a string or a JSON object"}

    def to_internal_value(self, data):
        if isinstance(data, str | dict):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class ObjectField(serializers.JSONField):
    default_error_messages = {"not_object": "must be a JSON object"}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            self.fail("not_object")
        return data


class MappingSimulationV2RequestSerializer(serializers.Serializer):
    event_configuration = ObjectField()
    format = serializers.ChoiceField(choices=FORMATS, default="json")
    payload = PayloadField()
    integration_id = serializers.UUIDField(
        required=False, help_text="Extension: simulate with this integration's environment values and maps "
                                  "(the organisation's portals are always used)")


class MappingSimulationRequestSerializer(serializers.Serializer):
    mapping_configuration = ObjectField()
    object_type = serializers.CharField(allow_blank=False, trim_whitespace=False)
    format = serializers.ChoiceField(choices=FORMATS, default="json")
    payload = PayloadField()


_RESPONSE = inline_serializer(
    "MappingSimulationResponse",
    {
        "entity_updates": serializers.ListField(child=serializers.DictField()),
        "meter_readings_updates": serializers.ListField(child=serializers.DictField()),
        "warnings": serializers.ListField(child=serializers.DictField()),
    },
)
_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Malformed request"),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="Missing or invalid token"),
    422: OpenApiResponse(OpenApiTypes.OBJECT,
                         description="Mapping configuration, payload or expression error: {code, message, details}"),
}


class SimulateMappingV2View(APIView):
    @extend_schema(
        operation_id="simulateMappingV2",
        tags=["erp"],
        summary="simulateMappingV2",
        description="Map a payload with a v2.0 inbound configuration (as stored in use cases) without "
                    "persisting anything. `file_proxy_url` fields are skipped.",
        request=MappingSimulationV2RequestSerializer,
        responses={200: _RESPONSE, **_ERRORS},
    )
    def post(self, request):
        org = request_organization(request)
        serializer = MappingSimulationV2RequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        integration_id = data.pop("integration_id", None)
        integration = selectors.get_integration(org, str(integration_id)) if integration_id else None
        environment = load_mapping_environment(integration, organization=org)
        return Response(simulate_mapping_v2(**data, environment=environment))


class SimulateMappingV1View(APIView):
    @extend_schema(
        operation_id="simulateMapping",
        tags=["erp"],
        summary="simulateMapping",
        description="Map a payload with a v1.0 objects mapping or the v2.0 `{version, mapping: {events}}` "
                    "wrapper (`object_type` picks the object or event) without persisting anything.",
        request=MappingSimulationRequestSerializer,
        responses={200: _RESPONSE, **_ERRORS},
    )
    def post(self, request):
        request_organization(request)
        serializer = MappingSimulationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(simulate_mapping(**serializer.validated_data))
