"""Monitoring API (paths as the contract)."""
import uuid

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import request_organization
from erpintegration.exceptions import NotFound, ValidationFailed
from monitoring import selectors, stats
from monitoring.api import serializers as s

ERRORS = {
    400: OpenApiResponse(description="Invalid input: {code, message} naming the field"),
    404: OpenApiResponse(description="Integration not found"),
}


def _owned_integration_id(organization, integration_id) -> str:
    """The canonical id of the caller's integration; another organisation's (or an unknown) one is a 404."""
    if not selectors.integration_exists(organization.id, integration_id):
        raise NotFound(f"Integration {integration_id} not found")
    return str(uuid.UUID(str(integration_id)))


def _field_error(field: str, problem: str) -> ValidationFailed:
    """A 400 shaped like the serializers' ones: ``field: problem`` plus ``details``."""
    return ValidationFailed(f"{field}: {problem}", details=[{"path": field, "message": problem}])


def _validated(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class InboundMonitoringEventsView(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
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
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        data = _validated(s.QueryInboundMonitoringEventsRequestSerializer, request)
        raw_cursor = data.get("cursor")
        cursor = selectors.InboundCursor(**raw_cursor) if raw_cursor else None
        page = selectors.query_inbound_events(
            org_id=organization.id, integration_id=integration_id, filters=data, cursor=cursor,
            limit=data["limit"],
        )
        return Response(
            {
                "data": [selectors.inbound_event_as_contract(row) for row in page.items],
                "next_cursor": page.next_cursor,
                "has_more": page.has_more,
            }
        )


class MonitoringStatsView(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
    @extend_schema(
        operation_id="getMonitoringStats",
        request=s.GetMonitoringStatsRequestSerializer,
        responses={200: s.MonitoringStatsSerializer, **ERRORS},
    )
    def post(self, request, integrationId):
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        data = _validated(s.GetMonitoringStatsRequestSerializer, request)
        start, end = stats.stats_window(data.get("from_date"), data.get("to_date"), timezone.now())
        if start > end:
            raise _field_error("from_date", "must not be after to_date (which defaults to now)")
        body = stats.monitoring_stats(
            org_id=organization.id, integration_id=integration_id, start=start, end=end,
            inbound_group_by=data["inbound_group_by"], outbound_group_by=data["outbound_group_by"],
        )
        return Response(body)


class MonitoringTimeSeriesView(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
    @extend_schema(
        operation_id="getMonitoringTimeSeries",
        request=s.GetMonitoringTimeSeriesRequestSerializer,
        responses={200: s.GetMonitoringTimeSeriesResponseSerializer, **ERRORS},
    )
    def post(self, request, integrationId):
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        data = _validated(s.GetMonitoringTimeSeriesRequestSerializer, request)
        start, end = data["from_date"], data.get("to_date") or timezone.now()
        if start > end:
            raise _field_error("from_date", "must not be after to_date (which defaults to now)")
        try:
            series = stats.monitoring_time_series(
                org_id=organization.id, integration_id=integration_id, start=start, end=end,
                interval=data["interval"], direction=data["direction"],
            )
        except stats.TooManyBuckets as exc:
            problem = (f"{data['interval']} over this range gives {exc.count} buckets, at most "
                       f"{stats.MAX_BUCKETS} are allowed (use a wider interval or a shorter range)")
            raise _field_error("interval", problem) from exc
        return Response(series.as_contract())


class AccessLogsView(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
    @extend_schema(
        operation_id="queryAccessLogs",
        request=s.QueryAccessLogsRequestSerializer,
        responses={200: s.QueryAccessLogsResponseSerializer, **ERRORS},
    )
    def post(self, request, integrationId):
        organization = request_organization(request)
        linked = selectors.integration_access_token_ids(organization.id, integrationId)
        if linked is None:
            raise NotFound(f"Integration {integrationId} not found")
        data = _validated(s.QueryAccessLogsRequestSerializer, request)
        token_id = data.get("token_id")
        if token_id is not None and token_id not in linked:
            raise _field_error("token_id", f"{token_id} is not one of the access_token_ids linked to this integration")
        raw_cursor = data.get("cursor")
        page = selectors.query_access_logs(
            org_id=organization.id,
            token_ids=[token_id] if token_id is not None else linked,
            filters=data,
            cursor=selectors.AccessLogCursor(**raw_cursor) if raw_cursor else None,
            limit=data["limit"],
        )
        return Response({
            "data": [selectors.access_log_as_contract(row) for row in page.items],
            "next_cursor": page.next_cursor,
            "has_more": page.has_more,
        })
