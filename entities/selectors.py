"""Read side of the entity store: org-scoped queries with cursor pagination, and the API representations."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from django.db.models import Q

from entities.models import Entity, EntitySyncState, MeterReading
from entities.services.lookup import attribute_filter, parse_entity_id
from erpintegration.exceptions import NotFound, ValidationFailed

TITLE_KEYS = ("_title", "title", "name", "full_name", "display_name", "company_name")
FALLBACK_TITLE_KEYS = ("external_id", "customer_number", "contract_number", "meter_number", "number")


# -- cursors -------------------------------------------------------------------------------------------

def encode_cursor(moment: datetime, pk) -> str:
    raw = json.dumps({"t": moment.isoformat(), "id": str(pk)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        moment = datetime.fromisoformat(data["t"])
        pk = parse_entity_id(data["id"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        pk = None
    if pk is None:
        raise ValidationFailed("cursor: invalid cursor", details={"field": "cursor"})
    return moment, pk


def _page(queryset, time_field: str, cursor: str | None, limit: int):
    """Newest first by (time_field, id); returns (rows, next_cursor)."""
    queryset = queryset.order_by(f"-{time_field}", "-id")
    if cursor:
        moment, pk = decode_cursor(cursor)
        queryset = queryset.filter(Q(**{f"{time_field}__lt": moment}) | Q(**{time_field: moment, "id__lt": pk}))
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(getattr(rows[-1], time_field), rows[-1].pk)
    return rows, next_cursor


# -- entities ------------------------------------------------------------------------------------------

def list_entities(organization, schema: str, *, filters: dict[str, str], include_deleted: bool = False,
                  cursor: str | None = None, limit: int = 25) -> tuple[list[Entity], str | None]:
    """Entities of one schema, filtered by attribute equality (repeatable values included)."""
    queryset = Entity.objects.filter(organization=organization, schema=schema)
    if not include_deleted:
        queryset = queryset.filter(deleted_at__isnull=True)
    for key, value in filters.items():
        queryset = attribute_filter(queryset, key, value)
    return _page(queryset, "created_at", cursor, limit)


def get_entity(organization, schema: str, entity_id, *, include_deleted: bool = False) -> Entity:
    pk = parse_entity_id(entity_id)
    queryset = Entity.objects.filter(organization=organization, schema=schema, pk=pk) if pk else Entity.objects.none()
    if not include_deleted:
        queryset = queryset.filter(deleted_at__isnull=True)
    entity = queryset.first()
    if entity is None:
        raise NotFound(f"No '{schema}' entity {entity_id}", code="ENTITY_NOT_FOUND")
    return entity


def entity_title(attributes: dict) -> str | None:
    """A human label for an entity: a name-like attribute, else first + last name, else an identifier."""
    for key in TITLE_KEYS:
        if isinstance(attributes.get(key), str | int | float) and attributes[key] != "":
            return str(attributes[key])
    names = [str(attributes[k]) for k in ("first_name", "last_name") if attributes.get(k)]
    if names:
        return " ".join(names)
    for key in FALLBACK_TITLE_KEYS:
        if isinstance(attributes.get(key), str | int | float) and attributes[key] != "":
            return str(attributes[key])
    emails = attributes.get("email")
    if isinstance(emails, list) and emails and isinstance(emails[0], dict) and emails[0].get("email"):
        return str(emails[0]["email"])
    return None


def sync_status(entity: Entity) -> dict[str, Any]:
    return {
        "last_synced_at": entity.last_synced_at,
        "last_event_id": entity.last_event_id or None,
        "last_integration_id": entity.last_integration_id or None,
    }


def entity_summary(entity: Entity) -> dict[str, Any]:
    return {
        "id": str(entity.pk),
        "schema": entity.schema,
        "title": entity_title(entity.attributes),
        "attributes": entity.attributes,
        "created_at": entity.created_at,
        "updated_at": entity.updated_at,
        "deleted_at": entity.deleted_at,
        "sync_status": sync_status(entity),
    }


def entity_detail(entity: Entity, *, include_deleted: bool = False) -> dict[str, Any]:
    """The summary plus relations resolved one level (id, schema, title) and relation references with the
    referenced item. Relations to purged (or, unless ``include_deleted``, deleted) entities are left out."""
    relation_attrs: dict[str, list] = {}
    ref_attrs: dict[str, list] = {}
    for key, value in entity.attributes.items():
        if isinstance(value, dict) and isinstance(value.get("$relation"), list):
            relation_attrs[key] = [i for i in value["$relation"] if isinstance(i, dict)]
        elif isinstance(value, dict) and isinstance(value.get("$relation_ref"), list):
            ref_attrs[key] = [i for i in value["$relation_ref"] if isinstance(i, dict)]
    ids = {parse_entity_id(i.get("entity_id")) for items in (*relation_attrs.values(), *ref_attrs.values())
           for i in items} - {None}
    related = Entity.objects.filter(organization_id=entity.organization_id, pk__in=ids)
    if not include_deleted:
        related = related.filter(deleted_at__isnull=True)
    by_id = {str(e.pk): e for e in related}

    relations = {}
    for key, items in relation_attrs.items():
        out = []
        for item in items:
            target = by_id.get(str(parse_entity_id(item.get("entity_id"))))
            if target is None:
                continue
            entry = {"entity_id": str(target.pk), "schema": target.schema, "title": entity_title(target.attributes)}
            if item.get("_tags"):
                entry["_tags"] = item["_tags"]
            if target.deleted_at:
                entry["deleted_at"] = target.deleted_at
            out.append(entry)
        relations[key] = out
    relation_refs = {}
    for key, items in ref_attrs.items():
        out = []
        for item in items:
            target = by_id.get(str(parse_entity_id(item.get("entity_id"))))
            if target is None:
                continue
            path = item.get("path")
            stored = target.attributes.get(path) if path else None
            value = next((v for v in stored if isinstance(v, dict) and v.get("_id") == item.get("_id")), None) \
                if isinstance(stored, list) else None
            out.append({"entity_id": str(target.pk), "schema": target.schema, "title": entity_title(target.attributes),
                        "path": path, "_id": item.get("_id"), "value": value})
        relation_refs[key] = out
    return {**entity_summary(entity), "relations": relations, "relation_refs": relation_refs}


# -- meter readings ------------------------------------------------------------------------------------

def list_meter_readings(organization, *, meter_id: str, counter_id: str | None = None, cursor: str | None = None,
                        limit: int = 25) -> tuple[list[MeterReading], str | None]:
    """Readings of a meter (optionally one counter), newest first. Unknown or foreign ids are 404."""
    meter_pk = parse_entity_id(meter_id)
    meter = Entity.objects.filter(organization=organization, pk=meter_pk).first() if meter_pk else None
    if meter is None:
        raise NotFound(f"No meter {meter_id}", code="METER_NOT_FOUND")
    queryset = MeterReading.objects.filter(organization=organization, meter=meter)
    if counter_id:
        counter_pk = parse_entity_id(counter_id)
        counter = Entity.objects.filter(organization=organization, pk=counter_pk).first() if counter_pk else None
        if counter is None:
            raise NotFound(f"No meter counter {counter_id}", code="METER_COUNTER_NOT_FOUND")
        queryset = queryset.filter(counter=counter)
    return _page(queryset, "timestamp", cursor, limit)


def meter_reading_dict(reading: MeterReading) -> dict[str, Any]:
    return {
        "id": str(reading.pk),
        "meter_id": str(reading.meter_id),
        "counter_id": str(reading.counter_id) if reading.counter_id else None,
        "external_id": reading.external_id or None,
        "timestamp": reading.timestamp,
        "value": reading.value,
        "source": reading.source,
        "reason": reading.reason or None,
        "direction": reading.direction or None,
        "attributes": reading.attributes,
        "created_at": reading.created_at,
        "updated_at": reading.updated_at,
    }


def live_entities_by_id(organization, ids) -> dict[str, Entity]:
    """The organisation's entities (not deleted) among ``ids``, keyed by their id as a string."""
    keys = {parse_entity_id(value) for value in ids} - {None}
    if not keys:
        return {}
    rows = Entity.objects.filter(organization=organization, pk__in=keys, deleted_at__isnull=True)
    return {str(entity.pk): entity for entity in rows}


def entity_sync_states(organization, entity_id, *, integration_id=None) -> list[dict[str, Any]]:
    """``EntitySyncState`` items of one entity, one per integration that processed it (oldest first).

    Unknown entities and other organisations' entities simply have none: the contract never answers 404.
    Absent values are left out (the contract's fields are optional, not nullable)."""
    return [sync_state_dict(row) for row in sync_state_rows(organization, entity_id, integration_id=integration_id)]


def sync_state_rows(organization, entity_id, *, integration_id=None) -> list[EntitySyncState]:
    rows = EntitySyncState.objects.filter(organization=organization, entity_id=entity_id)
    if integration_id is not None:
        rows = rows.filter(integration_id=integration_id)
    return list(rows.order_by("id"))


def sync_state_dict(row: EntitySyncState) -> dict[str, Any]:
    out: dict[str, Any] = {"entity_id": str(row.entity_id), "integration_id": str(row.integration_id),
                           "entity_slug": row.entity_slug}
    for name in ("use_case_id", "last_synced_at", "last_changed_at", "last_operation", "last_event_id",
                 "readings_last_synced_at", "readings_last_operation", "readings_last_event_id"):
        value = getattr(row, name)
        if value is not None and value != "":
            out[name] = value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value
    return out
