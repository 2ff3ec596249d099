"""Notification operations (v1.33): history, test send, status. The rules live in the integration's
``settings.notifications`` (validated by ``monitoring.notifications.config``)."""
from django.apps import apps
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import HasOrganization, request_organization
from erpintegration.exceptions import NotFound, ValidationFailed
from monitoring.api.views import ERRORS, _field_error, _owned_integration_id
from monitoring.notifications import queries

NOTIFICATION_ERRORS = {**ERRORS, 403: OpenApiResponse(description="The token lacks the scope")}


def _integration(organization, integration_id):
    canonical = _owned_integration_id(organization, integration_id)
    integration = apps.get_model("integrations", "Integration").objects.filter(pk=canonical).first()
    if integration is None:
        raise NotFound(f"Integration {integration_id} not found")
    return integration


def _config(integration) -> dict:
    return (integration.settings or {}).get("notifications") or {}


class NotificationHistoryView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.VIEW)]

    @extend_schema(operation_id="listNotificationHistory", parameters=[
        OpenApiParameter("cursor", str), OpenApiParameter("limit", int), OpenApiParameter("type", str)],
        responses={200: OpenApiResponse(description="{history, next_cursor}"), **NOTIFICATION_ERRORS})
    def get(self, request, integrationId):
        organization = request_organization(request)
        integration = _integration(organization, integrationId)
        raw_limit = request.query_params.get("limit")
        limit = queries.DEFAULT_LIMIT
        if raw_limit is not None:
            if not raw_limit.isdigit() or int(raw_limit) < 1:
                raise _field_error("limit", "must be a positive integer (values above 100 are clamped)")
            limit = int(raw_limit)
        try:
            body = queries.history(org_id=organization.id, integration_id=str(integration.pk),
                                   cursor=request.query_params.get("cursor") or None, limit=limit,
                                   kind=request.query_params.get("type") or None)
        except queries.BadCursor as exc:
            raise _field_error("cursor", str(exc)) from exc
        return Response(body)


class NotificationStatusView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.VIEW)]

    @extend_schema(operation_id="getNotificationStatus", parameters=[OpenApiParameter("include", str)],
                   responses={200: OpenApiResponse(description="NotificationStatusResponse"), **NOTIFICATION_ERRORS})
    def get(self, request, integrationId):
        organization = request_organization(request)
        integration = _integration(organization, integrationId)
        include = request.query_params.get("include")
        if include not in (None, "", "baseline_series"):
            raise _field_error("include", "the only value is baseline_series")
        return Response(queries.status(org_id=organization.id, integration_id=str(integration.pk),
                                       cfg=_config(integration), include_baseline=include == "baseline_series"))


class NotificationTestView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.MANAGE)]

    @extend_schema(operation_id="testSendNotification",
                   responses={202: OpenApiResponse(description="TestNotificationResponse"),
                              502: OpenApiResponse(description="The send failed downstream"), **NOTIFICATION_ERRORS})
    def post(self, request, integrationId):
        organization = request_organization(request)
        integration = _integration(organization, integrationId)
        data = request.data
        if not isinstance(data, dict):
            raise ValidationFailed("Request body must be a JSON object")
        kind = data.get("kind")
        if kind not in ("alert", "digest"):
            raise _field_error("kind", "must be alert or digest")
        alert_type = data.get("type")
        if alert_type is not None and alert_type not in queries.evaluator.TITLES and alert_type != "recovery":
            raise _field_error("type", f"must be one of {', '.join([*queries.evaluator.TITLES, 'recovery'])}")
        names = data.get("channels")
        if names is not None and (not isinstance(names, list) or any(n not in ("email", "in_app") for n in names)):
            raise _field_error("channels", "must be an array of email and/or in_app")
        user = getattr(getattr(request, "auth", None), "created_by", None)
        try:
            ok, body = queries.test_send(org_id=organization.id, integration=integration, cfg=_config(integration),
                                         user=user, kind=kind, alert_type=alert_type, channel_names=names)
        except queries.NoCaller as exc:
            raise ValidationFailed(str(exc)) from exc
        return Response(body, status=202 if ok else 502)
