"""Entity store browser: schemas with counts, the entities of one schema, one entity with its
attributes, relations, meter readings and the event that last touched it. Read-only for every role."""
import json

from django.db.models import Count
from django.http import Http404
from django.shortcuts import render

from entities import links
from entities import selectors as entity_selectors
from entities.models import Entity
from erpintegration.exceptions import ApplicationError
from erpintegration.ui.access import viewer_required

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
            "last_event_url": links.event_link(request.organization, entity.last_event_id),
            "sync_states": entity_selectors.sync_state_rows(request.organization, entity.pk),
        },
    )
