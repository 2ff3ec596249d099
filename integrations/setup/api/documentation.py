"""listDocumentationPages, getDocumentationPage, upsertDocumentationPage, deleteDocumentationPage."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import HasOrganization, request_organization
from integrations.setup import selectors
from integrations.setup.services import documentation

TAGS = ["integrations"]
PARAMS = [OpenApiParameter("integrationId", OpenApiTypes.UUID, OpenApiParameter.PATH),
          OpenApiParameter("docId", OpenApiTypes.STR, OpenApiParameter.PATH,
                           description="'general' for the integration-wide page, otherwise a use case ID")]
PAGE = inline_serializer("DocumentationPage", {
    "id": serializers.CharField(), "integration_id": serializers.UUIDField(), "scope": serializers.CharField(),
    "use_case_id": serializers.UUIDField(required=False), "title": serializers.CharField(),
    "content": serializers.CharField(), "created_at": serializers.DateTimeField(),
    "created_by": serializers.CharField(allow_null=True), "updated_at": serializers.DateTimeField(),
    "updated_by": serializers.CharField(allow_null=True),
})
UPSERT = inline_serializer("UpsertDocumentationPageRequest", {
    "title": serializers.CharField(max_length=150), "content": serializers.CharField(max_length=100_000)})
ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="{code, message}")


def actor(request) -> str | None:
    """Who edited a page: the token's id (``api_…``), the API's notion of a user."""
    return str(request.user) or None


class DocumentationPageListView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.VIEW)]

    @extend_schema(operation_id="listDocumentationPages", tags=TAGS, parameters=PARAMS[:1],
                   responses={200: inline_serializer("ListDocumentationPages", {
                       "pages": serializers.ListField(child=serializers.DictField())}), 404: ERROR})
    def get(self, request, integrationId):  # noqa: N803 (contract name)
        integration = selectors.get_integration(request_organization(request), integrationId)
        return Response({"pages": [documentation.page_summary(p) for p in documentation.list_pages(integration)]})


class DocumentationPageDetailView(APIView):
    permission_classes = [HasOrganization, scopes.ScopePermission]
    required_scopes_by_method = {"GET": (scopes.VIEW,), "PUT": (scopes.MANAGE,), "DELETE": (scopes.MANAGE,)}

    @extend_schema(operation_id="getDocumentationPage", tags=TAGS, parameters=PARAMS,
                   responses={200: PAGE, 404: ERROR})
    def get(self, request, integrationId, docId):  # noqa: N803
        integration = selectors.get_integration(request_organization(request), integrationId)
        return Response(documentation.page_detail(documentation.get_page(integration, docId)))

    @extend_schema(operation_id="upsertDocumentationPage", tags=TAGS, parameters=PARAMS, request=UPSERT,
                   responses={200: PAGE, 400: ERROR, 403: ERROR, 404: ERROR})
    def put(self, request, integrationId, docId):  # noqa: N803
        integration = selectors.get_integration(request_organization(request), integrationId)
        page = documentation.upsert_page(integration, docId, request.data, actor(request))
        return Response(documentation.page_detail(page))

    @extend_schema(operation_id="deleteDocumentationPage", tags=TAGS, parameters=PARAMS,
                   responses={200: inline_serializer("DeleteDocumentationPage", {"message": serializers.CharField()}),
                              403: ERROR, 404: ERROR})
    def delete(self, request, integrationId, docId):  # noqa: N803
        integration = selectors.get_integration(request_organization(request), integrationId)
        documentation.delete_page(integration, docId)
        return Response({"message": "Documentation page deleted"})
