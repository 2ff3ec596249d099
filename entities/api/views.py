"""Read API of the entity store (an extension of the contract): browse what the events produced."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from entities import selectors
from entities.api.serializers import (
    EntityDetailQuerySerializer,
    EntityDetailSerializer,
    EntityListQuerySerializer,
    EntityPageSerializer,
    MeterReadingPageSerializer,
    MeterReadingQuerySerializer,
    StoreErrorSerializer,
)
from erpintegration.auth import request_organization

RESERVED_PARAMS = {"cursor", "limit", "include_deleted"}
ERRORS = {400: StoreErrorSerializer, 401: StoreErrorSerializer, 404: StoreErrorSerializer}
TAGS = ["Entity store"]


def parse_query(serializer_class, request):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class EntityListView(APIView):
    @extend_schema(
        operation_id="listEntities",
        tags=TAGS,
        summary="List entities of a schema",
        description=(
            "Entities of `schema`, newest first. Every query parameter other than `cursor`, `limit` and "
            "`include_deleted` filters by attribute equality: `?external_id=CUST-1`; a repeatable attribute "
            "matches any of its values (`?email=a@b.c` matches `email[].email`). Numbers and booleans match "
            "their JSON value too. Soft-deleted entities only with `include_deleted=true`."
        ),
        parameters=[
            EntityListQuerySerializer,
            OpenApiParameter("schema", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter("filters", OpenApiTypes.OBJECT, OpenApiParameter.QUERY, style="form",
                             explode=True, required=False, description="`<attribute>=<value>` pairs"),
        ],
        responses={200: EntityPageSerializer, **ERRORS},
    )
    def get(self, request, schema: str):
        organization = request_organization(request)
        query = parse_query(EntityListQuerySerializer, request)
        filters = {k: v for k, v in request.query_params.items() if k not in RESERVED_PARAMS}
        rows, next_cursor = selectors.list_entities(
            organization, schema, filters=filters, include_deleted=query["include_deleted"],
            cursor=query.get("cursor"), limit=query["limit"],
        )
        return Response({"results": [selectors.entity_summary(e) for e in rows], "next_cursor": next_cursor})


class EntityDetailView(APIView):
    @extend_schema(
        operation_id="getEntity",
        tags=TAGS,
        summary="Get an entity with its relations and sync status",
        description=(
            "Attributes, relations resolved one level (`entity_id`, `schema`, `title`), relation references "
            "with the referenced item, and the sync status (last sync time, the event that last changed it)."
        ),
        parameters=[
            EntityDetailQuerySerializer,
            OpenApiParameter("schema", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter("entity_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
        ],
        responses={200: EntityDetailSerializer, **ERRORS},
    )
    def get(self, request, schema: str, entity_id: str):
        organization = request_organization(request)
        query = parse_query(EntityDetailQuerySerializer, request)
        entity = selectors.get_entity(organization, schema, entity_id, include_deleted=query["include_deleted"])
        return Response(selectors.entity_detail(entity, include_deleted=query["include_deleted"]))


class MeterReadingListView(APIView):
    @extend_schema(
        operation_id="listMeterReadings",
        tags=TAGS,
        summary="List the readings of a meter",
        description="Readings of `meter_id` (optionally only `counter_id`), newest first by timestamp.",
        parameters=[MeterReadingQuerySerializer],
        responses={200: MeterReadingPageSerializer, **ERRORS},
    )
    def get(self, request):
        organization = request_organization(request)
        query = parse_query(MeterReadingQuerySerializer, request)
        counter_id = query.get("counter_id")
        rows, next_cursor = selectors.list_meter_readings(
            organization, meter_id=str(query["meter_id"]), counter_id=str(counter_id) if counter_id else None,
            cursor=query.get("cursor"), limit=query["limit"],
        )
        return Response({"results": [selectors.meter_reading_dict(r) for r in rows], "next_cursor": next_cursor})
