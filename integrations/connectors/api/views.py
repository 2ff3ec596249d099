"""The connectors' operations (eight; listSecureProxies lives with the setup API). Each view parses, calls one service or selector, and renders."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import HasOrganization, request_organization
from erpintegration.exceptions import ValidationFailed
from integrations.connectors import selectors
from integrations.connectors.api.serializers import history_entry
from integrations.connectors.services import secure_proxy, type_generation, whitelist
from integrations.connectors.services.errors import ManagedCallBadRequest
from integrations.connectors.services.managed_calls import execute_managed_call

TAGS = ["connectors"]
ANY = OpenApiResponse(description="See the v1.33 contract")


def actor(request) -> str:
    """Who made a change: the user who issued the token when known, else the token id (``api_…``)."""
    creator_id = getattr(request.auth, "created_by_id", None)
    return str(creator_id) if creator_id else str(request.user)


class ManagedCallExecuteView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.CONSUME)]

    @extend_schema(operation_id="managedCallExecute", tags=TAGS, request=None, responses={200: ANY})
    def post(self, request, slug):
        try:
            data = request.data
        except ParseError as exc:  # the contract's 400 for execute is the ManagedCallErrorResponse envelope
            raise ManagedCallBadRequest(f"Malformed request body: {exc.detail}") from None
        if not isinstance(data, dict):
            raise ManagedCallBadRequest("request body must be a JSON object")
        if not isinstance(data.get("integration_id"), str):
            raise ManagedCallBadRequest("integration_id: this field is required (a uuid)")
        payload = data.get("payload", {})
        if not isinstance(payload, dict):
            raise ManagedCallBadRequest("payload: must be an object")
        correlation_id = data.get("correlation_id")
        if correlation_id is not None and not isinstance(correlation_id, str):
            raise ManagedCallBadRequest("correlation_id: must be a string")
        outcome = execute_managed_call(request_organization(request), slug, data["integration_id"], payload,
                                       correlation_id)
        headers = {"X-Inbound-Event-Id": outcome.inbound_event_id} if outcome.inbound_event_id else None
        return Response(outcome.result, headers=headers)


class SecureProxyWhitelistView(APIView):
    permission_classes = [HasOrganization, scopes.ScopePermission]
    required_scopes_by_method = {"GET": (scopes.VIEW,), "PUT": (scopes.MANAGE,)}

    @extend_schema(operation_id="getSecureProxyWhitelist", tags=TAGS, responses={200: ANY})
    def get(self, request, integrationId, useCaseId):
        use_case = selectors.secure_proxy_use_case(request_organization(request), integrationId, useCaseId)
        return Response(selectors.whitelist_of(use_case))

    @extend_schema(operation_id="updateSecureProxyWhitelist", tags=TAGS, request=None, responses={200: ANY})
    def put(self, request, integrationId, useCaseId):
        if not whitelist.token_may_change_whitelist(request.auth):
            raise whitelist.NotAdmin("Changing a secure proxy whitelist needs an organisation admin's token")
        use_case = selectors.secure_proxy_use_case(request_organization(request), integrationId, useCaseId)
        use_case = whitelist.update_whitelist(use_case, request.data, actor(request))
        return Response(selectors.whitelist_of(use_case))


class SecureProxyWhitelistHistoryView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.VIEW)]

    @extend_schema(operation_id="listSecureProxyWhitelistHistory", tags=TAGS, responses={200: ANY})
    def get(self, request, integrationId, useCaseId):
        limit = serializers.IntegerField(min_value=1, max_value=50)
        raw = request.query_params.get("limit")
        try:
            value = selectors.HISTORY_DEFAULT if raw in (None, "") else limit.run_validation(raw)
        except serializers.ValidationError:
            raise ValidationFailed("limit: must be an integer between 1 and 50")
        use_case = selectors.secure_proxy_use_case(request_organization(request), integrationId, useCaseId)
        return Response({"history": [history_entry(row) for row in selectors.whitelist_history(use_case, value)]})


class SecureProxyView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.CONSUME)]

    @extend_schema(operation_id="secureProxy", tags=TAGS, request=None, responses={200: ANY})
    def post(self, request):
        return Response(secure_proxy.forward(request_organization(request), request.data))


class GenerateTypesPreviewView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.VIEW)]

    @extend_schema(operation_id="generateTypesPreview", tags=TAGS, request=None, responses={200: ANY})
    def post(self, request, integrationId):
        return Response(type_generation.preview(request_organization(request), integrationId))


class GenerateTypesView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.VIEW)]

    @extend_schema(operation_id="generateTypes", tags=TAGS, request=None, responses={200: ANY})
    def post(self, request, integrationId):
        return Response(type_generation.generate(request_organization(request), integrationId, request.data))


class CommitTypesView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.MANAGE)]

    @extend_schema(operation_id="commitTypes", tags=TAGS, request=None, responses={200: ANY})
    def post(self, request, integrationId):
        return Response(type_generation.commit(request_organization(request), integrationId, request.data,
                                               actor(request)))
