"""Monitoring v2 API (paths and status codes as the v1.33 contract)."""
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration import scopes
from erpintegration.auth import HasOrganization, request_organization
from erpintegration.exceptions import ValidationFailed
from monitoring import external, selectors_v2, stats, stats_v2
from monitoring import rows as v2rows
from monitoring.api import serializers_v2 as s
from monitoring.api.views import ERRORS, _field_error, _owned_integration_id, _validated


class MonitoringEventsV2View(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
    @extend_schema(operation_id="queryMonitoringEventsV2", request=s.QueryMonitoringEventsV2RequestSerializer,
                   responses={200: OpenApiResponse(description="{data: MonitoringEventV2[], next_cursor, has_more}"),
                              **ERRORS})
    def post(self, request, integrationId):
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        data = _validated(s.QueryMonitoringEventsV2RequestSerializer, request)
        given = data.get("cursor") or {}
        try:
            cursor = selectors_v2.parse_cursor({"created_at": given.get("created_at"),
                                                "id": str(given["id"]) if given.get("id") else None}
                                               if given else None)
        except ValueError as exc:
            raise _field_error("cursor", str(exc)) from exc
        page = selectors_v2.query_events(org_id=organization.id, integration_id=integration_id, filters=data,
                                         cursor=cursor, limit=data["limit"])
        return Response({"data": [v2rows.as_v2(row) for row in page.items], "next_cursor": page.next_cursor,
                         "has_more": page.has_more})


class MonitoringStatsV2View(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
    @extend_schema(operation_id="getMonitoringStatsV2", request=s.GetMonitoringStatsV2RequestSerializer,
                   responses={200: OpenApiResponse(description="MonitoringStatsV2"), **ERRORS})
    def post(self, request, integrationId):
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        data = _validated(s.GetMonitoringStatsV2RequestSerializer, request)
        start, end = stats.stats_window(data.get("from_date"), data.get("to_date"), timezone.now())
        if start > end:
            raise _field_error("from_date", "must not be after to_date (which defaults to now)")
        types = data.get("use_case_types") or ([data["use_case_type"]] if data.get("use_case_type") else None)
        return Response(stats_v2.stats(org_id=organization.id, integration_id=integration_id, start=start, end=end,
                                       use_case_types=types, group_by=data.get("group_by"), source=data["source"]))


class MonitoringTimeSeriesV2View(APIView):
    required_scopes_by_method = {"POST": (scopes.VIEW,)}  # a query, not a change
    @extend_schema(operation_id="getMonitoringTimeSeriesV2", request=s.GetMonitoringTimeSeriesV2RequestSerializer,
                   responses={200: OpenApiResponse(description="{interval, from_date, to_date, buckets}"), **ERRORS})
    def post(self, request, integrationId):
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        data = _validated(s.GetMonitoringTimeSeriesV2RequestSerializer, request)
        start, end = data["from_date"], data.get("to_date") or timezone.now()
        if start > end:
            raise _field_error("from_date", "must not be after to_date (which defaults to now)")
        try:
            body = stats_v2.time_series(org_id=organization.id, integration_id=integration_id, start=start, end=end,
                                        interval=data["interval"], use_case_type=data.get("use_case_type"),
                                        group_by=data.get("group_by"))
        except stats.TooManyBuckets as exc:
            raise _field_error("interval", f"{data['interval']} over this range gives {exc.count} buckets, at most "
                               f"{stats.MAX_BUCKETS} are allowed") from exc
        return Response(body)


class AssociatedMonitoringEventsView(APIView):
    @extend_schema(operation_id="getAssociatedMonitoringEvents",
                   responses={200: OpenApiResponse(description="{monitoring_events, inbound_event}"), **ERRORS})
    def get(self, request, integrationId, eventId):
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        if len(eventId) > 255:
            raise _field_error("eventId", "is longer than 255 characters")
        return Response(selectors_v2.associated_events(organization.id, integration_id, eventId))


class MonitoringTraceView(APIView):
    @extend_schema(operation_id="getMonitoringTraceByCorrelation",
                   responses={200: OpenApiResponse(description="MonitoringTraceResponse"), **ERRORS})
    def get(self, request, integrationId, correlationId):
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        if len(correlationId) > 255:
            raise _field_error("correlationId", "is longer than 255 characters")
        return Response(selectors_v2.trace(organization.id, integration_id, correlationId))


class ExternalMonitoringEventsView(APIView):
    permission_classes = [HasOrganization, scopes.requires(scopes.MONITORING_INGEST)]

    @extend_schema(operation_id="ingestExternalMonitoringEvents",
                   request=s.IngestExternalMonitoringEventsRequestSerializer,
                   responses={202: OpenApiResponse(description="{accepted, rejected, results?}"),
                              403: OpenApiResponse(description="The token lacks monitoring:ingest"), **ERRORS})
    def post(self, request, integrationId):
        organization = request_organization(request)
        integration_id = _owned_integration_id(organization, integrationId)
        if not isinstance(request.data, dict):
            raise ValidationFailed("Request body must be a JSON object")
        events = request.data.get("events")
        if not isinstance(events, list) or not 1 <= len(events) <= 100:
            raise _field_error("events", "must be an array of 1 to 100 spans")
        result = external.ingest(org_id=organization.id, integration_id=integration_id, spans=events)
        return Response(result.as_contract(), status=202)
