"""The 18 configuration operations. Each view parses, calls one selector or service, and renders."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.api.exception_handler import error_details, flatten_errors
from erpintegration.auth import request_organization
from erpintegration.exceptions import ValidationFailed
from integrations.mapping.payload import FORMATS
from integrations.setup import selectors
from integrations.setup.api import serializers as s
from integrations.setup.services import app_mappings, integrations, use_cases
from integrations.setup.services.mapping_environment import load_mapping_environment
from integrations.setup.services.simulation import simulate_mapping, simulate_mapping_v2

TAGS = ["integrations"]
INTEGRATION_ID = OpenApiParameter(
    "integrationId", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The integration ID"
)
USE_CASE_ID = OpenApiParameter("useCaseId", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The use case ID")
ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Bad request"),
    401: OpenApiResponse(s.ErrorSerializer, description="Unauthorized request"),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found"),
}


def _errors(*codes):
    return {code: ERRORS[code] for code in codes}


def parse(serializer_class, request, *, partial: bool = False) -> dict:
    """The validated request body, or ValidationFailed (400) naming every offending field."""
    serializer = serializer_class(data=request.data, partial=partial)
    if not serializer.is_valid():
        errors = error_details(serializer.errors)
        message = "; ".join(flatten_errors(serializer.errors))
        raise ValidationFailed(message or "Invalid request body", details=errors)
    return dict(serializer.validated_data)


def actor(request) -> str:
    """Who made a change (``changed_by``): the id of the user who created the token, or "" for a token
    without a user (e.g. from ``create_token``), whose changes then carry no ``changed_by``."""
    user_id = request.user.token.created_by_id
    return str(user_id) if user_id is not None else ""


# ------------------------------------------------------------------ v1 integrations


class IntegrationListView(APIView):
    @extend_schema(operation_id="listIntegrations", tags=TAGS, responses={200: s.IntegrationListSerializer,
                                                                           **_errors(401)})
    def get(self, request):
        items = selectors.list_integrations(request_organization(request))
        return Response({"integrations": s.IntegrationSerializer(items, many=True).data})

    @extend_schema(operation_id="createIntegration", tags=TAGS, request=s.IntegrationWriteSerializer,
                   responses={201: s.IntegrationSerializer, **_errors(400, 401)})
    def post(self, request):
        data = parse(s.IntegrationWriteSerializer, request)
        integration = integrations.create_integration(request_organization(request), data)
        return Response(s.IntegrationSerializer(integration).data, status=status.HTTP_201_CREATED)


class IntegrationDetailView(APIView):
    @extend_schema(operation_id="getIntegration", tags=TAGS, parameters=[INTEGRATION_ID],
                   responses={200: s.IntegrationSerializer, **_errors(401, 404)})
    def get(self, request, integrationId):
        integration = selectors.get_integration(request_organization(request), integrationId)
        return Response(s.IntegrationSerializer(integration).data)

    @extend_schema(operation_id="updateIntegration", tags=TAGS, parameters=[INTEGRATION_ID],
                   request=s.IntegrationWriteSerializer, responses={200: s.IntegrationSerializer,
                                                                    **_errors(400, 401, 404)})
    def put(self, request, integrationId):
        org = request_organization(request)
        integration = selectors.get_integration(org, integrationId)
        data = parse(s.IntegrationWriteSerializer, request, partial=True)
        integration = integrations.update_integration(org, integration, data)
        return Response(s.IntegrationSerializer(integration).data)

    @extend_schema(operation_id="deleteIntegration", tags=TAGS, parameters=[INTEGRATION_ID],
                   responses={200: s.MessageSerializer, **_errors(401, 404)})
    def delete(self, request, integrationId):
        org = request_organization(request)
        integrations.delete_integration(org, selectors.get_integration(org, integrationId))
        return Response({"message": "Integration deleted successfully"})


# ------------------------------------------------------------------ use cases


class UseCaseListView(APIView):
    @extend_schema(operation_id="listUseCases", tags=TAGS, parameters=[INTEGRATION_ID],
                   responses={200: s.UseCaseListSerializer, **_errors(401, 404)})
    def get(self, request, integrationId):
        types = selectors.parse_types_flag(request.query_params.get("types"))
        items = selectors.list_use_cases(request_organization(request), integrationId, types)
        return Response({"use_cases": s.UseCaseSerializer(items, many=True).data})

    @extend_schema(operation_id="createUseCase", tags=TAGS, parameters=[INTEGRATION_ID],
                   request=s.UseCaseCreateSerializer, responses={201: s.UseCaseSerializer, **_errors(400, 401, 404)})
    def post(self, request, integrationId):
        org = request_organization(request)
        integration = selectors.get_integration(org, integrationId)
        data = parse(s.UseCaseCreateSerializer, request)
        use_case = use_cases.create_use_case(org, integration, data, actor=actor(request))
        return Response(s.UseCaseSerializer(use_case).data, status=status.HTTP_201_CREATED)


class UseCaseDetailView(APIView):
    @extend_schema(operation_id="getUseCase", tags=TAGS, parameters=[INTEGRATION_ID, USE_CASE_ID],
                   responses={200: s.UseCaseSerializer, **_errors(401, 404)})
    def get(self, request, integrationId, useCaseId):
        use_case = selectors.get_use_case(request_organization(request), integrationId, useCaseId)
        return Response(s.UseCaseSerializer(use_case).data)

    @extend_schema(operation_id="updateUseCase", tags=TAGS, parameters=[INTEGRATION_ID, USE_CASE_ID],
                   request=s.UseCaseUpdateSerializer, responses={200: s.UseCaseSerializer, **_errors(400, 401, 404)})
    def put(self, request, integrationId, useCaseId):
        org = request_organization(request)
        use_case = selectors.get_use_case(org, integrationId, useCaseId)
        data = parse(s.UseCaseUpdateSerializer, request, partial=True)
        use_case = use_cases.update_use_case(org, use_case, data, actor=actor(request))
        return Response(s.UseCaseSerializer(use_case).data)

    @extend_schema(operation_id="deleteUseCase", tags=TAGS, parameters=[INTEGRATION_ID, USE_CASE_ID],
                   responses={200: s.MessageSerializer, **_errors(401, 404)})
    def delete(self, request, integrationId, useCaseId):
        org = request_organization(request)
        use_cases.delete_use_case(org, selectors.get_use_case(org, integrationId, useCaseId))
        return Response({"message": "Use case deleted successfully"})


class UseCaseHistoryView(APIView):
    @extend_schema(
        operation_id="listUseCaseHistory",
        tags=TAGS,
        parameters=[
            INTEGRATION_ID,
            USE_CASE_ID,
            OpenApiParameter("cursor", OpenApiTypes.STR, OpenApiParameter.QUERY,
                             description="Opaque cursor: the next_cursor of the previous page."),
        ],
        responses={200: s.UseCaseHistoryPageSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request, integrationId, useCaseId):
        org = request_organization(request)
        use_case = selectors.get_use_case(org, integrationId, useCaseId)
        page = selectors.use_case_history_page(org, use_case, cursor=request.query_params.get("cursor") or None)
        body = {"history": s.UseCaseHistoryEntrySerializer(page.entries, many=True).data}
        if page.next_cursor:
            body["next_cursor"] = page.next_cursor
        return Response(body)


# ------------------------------------------------------------------ v2 integrations


class IntegrationV2ListView(APIView):
    @extend_schema(operation_id="listIntegrationsV2", tags=TAGS,
                   responses={200: s.IntegrationWithUseCasesListSerializer, **_errors(401)})
    def get(self, request):
        items = selectors.list_integrations_with_use_cases(request_organization(request))
        return Response({"integrations": s.IntegrationWithUseCasesSerializer(items, many=True).data})

    @extend_schema(operation_id="createIntegrationV2", tags=TAGS, request=s.IntegrationWithUseCasesWriteSerializer,
                   responses={201: s.IntegrationWithUseCasesSerializer, **_errors(400, 401)})
    def post(self, request):
        org = request_organization(request)
        data = parse(s.IntegrationWithUseCasesWriteSerializer, request)
        integration = integrations.create_integration_with_use_cases(org, data, actor=actor(request))
        integration = selectors.get_integration_with_use_cases(org, integration.pk)
        return Response(s.IntegrationWithUseCasesSerializer(integration).data, status=status.HTTP_201_CREATED)


class IntegrationV2DetailView(APIView):
    @extend_schema(operation_id="getIntegrationV2", tags=TAGS, parameters=[INTEGRATION_ID],
                   responses={200: s.IntegrationWithUseCasesSerializer, **_errors(401, 404)})
    def get(self, request, integrationId):
        integration = selectors.get_integration_with_use_cases(request_organization(request), integrationId)
        return Response(s.IntegrationWithUseCasesSerializer(integration).data)

    @extend_schema(operation_id="updateIntegrationV2", tags=TAGS, parameters=[INTEGRATION_ID],
                   request=s.IntegrationWithUseCasesWriteSerializer,
                   responses={200: s.IntegrationWithUseCasesSerializer, **_errors(400, 401, 404)})
    def put(self, request, integrationId):
        org = request_organization(request)
        integration = selectors.get_integration(org, integrationId)
        data = parse(s.IntegrationWithUseCasesWriteSerializer, request)
        integrations.update_integration_with_use_cases(org, integration, data, actor=actor(request))
        integration = selectors.get_integration_with_use_cases(org, integration.pk)
        return Response(s.IntegrationWithUseCasesSerializer(integration).data)

    @extend_schema(operation_id="deleteIntegrationV2", tags=TAGS, parameters=[INTEGRATION_ID],
                   responses={200: s.MessageSerializer, **_errors(401, 404)})
    def delete(self, request, integrationId):
        org = request_organization(request)
        integrations.delete_integration(org, selectors.get_integration(org, integrationId))
        return Response({"message": "Integration deleted successfully"})


# ------------------------------------------------------------------ app mapping


class AppMappingView(APIView):
    @extend_schema(operation_id="setIntegrationAppMapping", tags=TAGS, parameters=[INTEGRATION_ID],
                   request=s.SetAppMappingSerializer,
                   responses={200: s.AppMappingSerializer, 409: OpenApiResponse(s.ErrorSerializer,
                                                                                 description="Mapped elsewhere"),
                              **_errors(400, 401, 404)})
    def put(self, request, integrationId):
        org = request_organization(request)
        integration = selectors.get_integration(org, integrationId)
        data = parse(s.SetAppMappingSerializer, request)
        mapping = app_mappings.set_app_mapping(
            org, integration, data["app_id"], data["component_id"], overwrite=data["overwrite"]
        )
        return Response({"integration_id": str(mapping.integration_id)})

    @extend_schema(operation_id="deleteIntegrationAppMapping", tags=TAGS, parameters=[INTEGRATION_ID],
                   request=s.DeleteAppMappingSerializer, responses={200: s.MessageSerializer, **_errors(400, 401, 404)})
    def delete(self, request, integrationId):
        org = request_organization(request)
        integration = selectors.get_integration(org, integrationId)
        data = parse(s.DeleteAppMappingSerializer, request)
        app_mappings.delete_app_mapping(org, integration, data["app_id"], data["component_id"])
        return Response({"message": "App mapping deleted successfully"})


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
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # computes, stores nothing
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
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # computes, stores nothing
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


# ------------------------------------------------------------------ secure proxies (v1.33)


class SecureProxyListView(APIView):
    """A literal path under ``/v1/integrations/``: routed before ``{integrationId}`` (see integrations/setup/api/urls.py)."""

    @extend_schema(operation_id="listSecureProxies", tags=TAGS, responses={200: OpenApiTypes.OBJECT,
                                                                            **_errors(401)})
    def get(self, request):
        return Response({"secure_proxies": selectors.list_secure_proxies(request_organization(request))})
