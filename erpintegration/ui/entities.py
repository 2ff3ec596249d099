"""Entity store browser: schemas with counts, the entities of one schema, one entity with its
attributes, relations, meter readings and the event that last touched it. Read-only for every role."""
import json
import uuid

from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse

from entities import selectors as entity_selectors
from entities.models import Entity
from erpintegration.exceptions import ApplicationError

from .access import viewer_required

PAGE_SIZE = 50


def schema_counts(org) -> list[dict]:
    return list(
        Entity.objects.filter(organization=org, deleted_at__isnull=True)
        .values("schema")
        .annotate(total=Count("id"))
        .order_by("schema")
    )


@viewer_required
def schema_list(request):
    return render(request, "entities/schemas.html", {"schemas": schema_counts(request.organization)})


@viewer_required
def entity_list(request, schema):
    key = (request.GET.get("attribute") or "").strip()
    value = (request.GET.get("value") or "").strip()
    filters = {key: value} if key and value else {}
    try:
        rows, next_cursor = entity_selectors.list_entities(
            request.organization, schema, filters=filters, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
        )
    except ApplicationError as exc:
        return render(
            request, "entities/list.html", {"schema": schema, "rows": [], "error": exc.message, "attribute": key, "value": value},
            status=400,
        )
    entities = [entity_selectors.entity_summary(entity) for entity in rows]
    return render(
        request,
        "entities/list.html",
        {"schema": schema, "entities": entities, "next_cursor": next_cursor, "attribute": key, "value": value},
    )


@viewer_required
def entity_detail(request, schema, entity_id):
    try:
        entity = entity_selectors.get_entity(request.organization, schema, entity_id)
    except ApplicationError:
        raise Http404("No such entity")
    detail = entity_selectors.entity_detail(entity)
    for items in detail["relations"].values():
        for item in items:
            item["tags"] = item.get("_tags") or []  # templates cannot read names starting with "_"
    readings = []
    if schema == "meter":
        readings, _ = entity_selectors.list_meter_readings(request.organization, meter_id=str(entity.pk), limit=PAGE_SIZE)
    plain = [
        (key, value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False), not isinstance(value, str | int | float | bool | None))
        for key, value in sorted(detail["attributes"].items())
        if key not in detail["relations"] and key not in detail["relation_refs"]
    ]
    return render(
        request,
        "entities/detail.html",
        {
            "entity": entity,
            "detail": detail,
            "attributes": plain,
            "readings": readings,
            "last_event_url": last_event_url(request.organization, entity.last_event_id),
            "sync_states": entity_selectors.sync_state_rows(request.organization, entity.pk),
        },
    )


def last_event_url(org, event_id: str) -> str | None:
    """Link to the recorded event that last changed the entity, when it is still stored."""
    from integrations.models import ErpEvent

    try:
        key = uuid.UUID(str(event_id))
    except ValueError:
        return None
    event = ErpEvent.objects.filter(organization=org, pk=key).only("id", "integration_id").first()
    if event is None:
        return None
    return reverse("ui-events:detail", kwargs={"integration_id": event.integration_id, "event_id": event.pk})


app_name = "ui-entities"
urlpatterns = [
    path("entities/", schema_list, name="list"),
    path("entities/<str:schema>/", entity_list, name="schema"),
    path("entities/<str:schema>/<str:entity_id>/", entity_detail, name="detail"),
]
