"""The eight import operations of v1.33 plus the hub's own upload endpoint (the S3 substitute)."""
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import HasOrganization, request_organization
from erpintegration.exceptions import ValidationFailed
from integrations.imports.api import serializers as s
from integrations.imports.services import dispatch, jobs, runs, storage
from integrations.imports.services.suggest import suggest
from integrations.imports.tasks import execute_import, validate_import

READ_WRITE = {"GET": (scopes.VIEW,), "POST": (scopes.MANAGE,), "DELETE": (scopes.MANAGE,)}
ERRORS = {403: OpenApiResponse(description="Insufficient permissions"),
          404: OpenApiResponse(description="Not found: {code, message}")}


def _body(serializer_class, data):
    if data is not None and not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    serializer = serializer_class(data=data or {})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _ImportView(APIView):
    permission_classes = [HasOrganization, scopes.ScopePermission]
    required_scopes_by_method = READ_WRITE


class ImportListView(_ImportView):
    @extend_schema(operation_id="listErpImports", responses={200: OpenApiResponse(description="ErpImportList")})
    def get(self, request):
        try:
            limit = int(request.query_params.get("limit", 50))
        except ValueError:
            raise ValidationFailed("limit: must be an integer") from None
        if limit < 1:
            raise ValidationFailed("limit: must be at least 1")
        page, cursor = jobs.list_imports(request_organization(request), limit=limit,
                                         cursor=request.query_params.get("cursor"))
        return Response({"results": [s.job_as_contract(j) for j in page], "next_cursor": cursor})

    @extend_schema(operation_id="createErpImport", request=s.CreateErpImportSerializer,
                   responses={201: OpenApiResponse(description="CreateErpImportResponse"), **ERRORS})
    def post(self, request):
        data = _body(s.CreateErpImportSerializer, request.data)
        job, preview, created = jobs.create_or_repoint(
            request_organization(request), data["s3_reference"], import_id=data.get("import_id"),
            user=getattr(request.user, "token", None) and request.user.token.created_by)
        body = {"job": s.job_as_contract(job)}
        if data["include_preview"]:
            body["preview"] = preview
        return Response(body, status=201 if created else 200)


class ImportDetailView(_ImportView):
    @extend_schema(operation_id="getErpImport", responses={200: OpenApiResponse(description="ErpImportJob"),
                                                           **ERRORS})
    def get(self, request, import_id):
        return Response(s.job_as_contract(jobs.get_import(request_organization(request), import_id)))

    @extend_schema(operation_id="deleteErpImport", responses={204: None, **ERRORS})
    def delete(self, request, import_id):
        jobs.delete_import(request_organization(request), import_id)
        return Response(status=204)


class ImportValidateView(_ImportView):
    @extend_schema(operation_id="validateErpImport", request=s.ValidateErpImportSerializer,
                   responses={202: OpenApiResponse(description="ErpImportJob"), **ERRORS})
    def post(self, request, import_id):
        data = _body(s.ValidateErpImportSerializer, request.data)
        job = jobs.start_validation(request_organization(request), import_id, data["integration_id"],
                                    data["use_case_slug"])
        dispatch.start(validate_import, job.id, job.run_token)
        return Response(s.job_as_contract(job), status=202)


class ImportSuggestView(_ImportView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # reads only

    @extend_schema(operation_id="suggestErpImportUseCases", request=None,
                   responses={200: OpenApiResponse(description="SuggestErpImportUseCasesResponse"), **ERRORS})
    def post(self, request, import_id):
        return Response(suggest(jobs.get_import(request_organization(request), import_id)))


class ImportExecuteView(_ImportView):
    @extend_schema(operation_id="executeErpImport", request=s.ExecuteErpImportSerializer,
                   responses={202: OpenApiResponse(description="ErpImportJob"), **ERRORS})
    def post(self, request, import_id):
        data = _body(s.ExecuteErpImportSerializer, request.data if request.body else None)
        job = jobs.start_execution(request_organization(request), import_id, ack_warnings=data["ack_warnings"],
                                   current_fingerprint=runs.mapping_fingerprint)
        dispatch.start(execute_import, job.id, job.run_token)
        return Response(s.job_as_contract(job), status=202)


class ImportAbortView(_ImportView):
    @extend_schema(operation_id="abortErpImport", request=None,
                   responses={202: OpenApiResponse(description="ErpImportJob"), **ERRORS})
    def post(self, request, import_id):
        return Response(s.job_as_contract(jobs.abort_import(request_organization(request), import_id)), status=202)


class ImportUploadView(_ImportView):
    """Not in the contract: the self-hosted substitute for S3 presigned uploads. Multipart ``file``; the
    answer is an ``S3Reference`` (plus ``size_bytes``) to pass to ``createErpImport``."""

    parser_classes = [MultiPartParser]
    required_scopes_by_method = {"POST": (scopes.MANAGE,)}

    @extend_schema(operation_id="uploadErpImportFile",
                   request={"multipart/form-data": inline_serializer("ImportUpload", {"file": serializers.FileField()})},
                   responses={201: OpenApiResponse(description="{bucket, key, size_bytes}")})
    def post(self, request):
        request._request.upload_handlers.insert(0, storage.SizeLimitHandler(request._request))
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise ValidationFailed("file: a multipart file field named 'file' is required")
        return Response(storage.save_upload(request_organization(request), uploaded), status=201)
