"""Entity writes: find by unique ids, create/patch (with array ops, relations, relation refs), delete, purge."""
from __future__ import annotations

import hashlib
from typing import Any

from django.db import connections

from entities.models import Entity, EntityRelation

from .context import WriteContext
from .errors import StoreError
from .lookup import find_by_unique_ids, parse_entity_id
from .operations import apply_array_op, array_operation
from .report import EntityOutcome

RESERVED_ATTRIBUTES = ("_id",)


def identity_lock_key(organization, schema: str, unique_ids: dict[str, Any]) -> int:
    key = repr((organization.pk, schema, sorted((k, repr(v)) for k, v in unique_ids.items())))
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def lock_identities(organization, schema: str, identities: list[dict[str, Any]]) -> None:
    """Serialise concurrent writers of the same identities (PostgreSQL, transaction-scoped advisory locks) so
    two events cannot both create one entity. Keys are taken in sorted order: no lock-order deadlocks."""
    connection = connections[Entity.objects.db]
    if connection.vendor != "postgresql" or not identities:
        return
    keys = sorted({identity_lock_key(organization, schema, ids) for ids in identities})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [keys])


def lock_identity(organization, schema: str, unique_ids: dict[str, Any]) -> None:
    lock_identities(organization, schema, [unique_ids])


def find_one(ctx: WriteContext, schema: str, unique_ids: dict[str, Any], config_index: int) -> Entity | None:
    """0 -> None, 1 -> the entity, more -> UNIQUE_ID_MULTIPLE_MATCHES; a lone ``_id`` must exist."""
    if not unique_ids:
        raise StoreError(
            "MISSING_UNIQUE_IDENTIFIERS",
            f"No unique identifiers given for '{schema}'",
            {"entity_schema": schema, "config_index": config_index},
        )
    matches = find_by_unique_ids(ctx.organization, schema, unique_ids)
    if len(matches) > 1:
        raise StoreError(
            "UNIQUE_ID_MULTIPLE_MATCHES",
            f"More than one '{schema}' entity matches the unique identifiers {unique_ids}",
            {
                "entity_schema": schema,
                "unique_identifiers": unique_ids,
                "config_index": config_index,
                "entity_ids": [str(e.id) for e in matches],
            },
        )
    if not matches and set(unique_ids) == {"_id"}:
        raise StoreError(
            "ENTITY_NOT_FOUND",
            f"No '{schema}' entity with id {unique_ids['_id']}",
            {"entity_schema": schema, "unique_identifiers": unique_ids, "config_index": config_index},
        )
    return matches[0] if matches else None


def identity_attributes(unique_ids: dict[str, Any]) -> dict[str, Any]:
    """The attributes a new entity gets from its identifiers: ``email.email: v`` -> ``email: [{email: v}]``."""
    out: dict[str, Any] = {}
    for key, value in unique_ids.items():
        if key == "_id":
            continue
        attribute, dot, sub = key.partition(".")
        if dot and sub:
            out.setdefault(attribute, [])
            if isinstance(out[attribute], list):
                out[attribute].append({sub: value})
        else:
            out[key] = value
    return out


def is_relation_value(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and ("$relation" in value or "$relation_ref" in value)


def build_attributes(ctx: WriteContext, entity: Entity | None, schema: str, unique_ids: dict, incoming: dict,
                     config_index: int) -> tuple[dict, set[str]]:
    """The entity's attributes after applying ``incoming``; also the relation attributes that were written."""
    from .relations import resolve_relation_attribute, resolve_relation_ref_attribute

    exists = entity is not None
    attributes = dict(entity.attributes) if exists else identity_attributes(unique_ids)
    relation_keys: set[str] = set()
    for key, value in incoming.items():
        if key in RESERVED_ATTRIBUTES:
            continue
        if isinstance(value, dict) and "$relation" in value and len(value) == 1:
            resolved = resolve_relation_attribute(ctx, schema, key, value["$relation"], attributes.get(key),
                                                  exists, config_index)
            if resolved is None:
                continue
            attributes[key] = resolved
            relation_keys.add(key)
        elif isinstance(value, dict) and "$relation_ref" in value and len(value) == 1:
            resolved = resolve_relation_ref_attribute(ctx, schema, key, value["$relation_ref"],
                                                      attributes.get(key), exists, config_index)
            if resolved is None:
                continue
            attributes[key] = resolved
            relation_keys.add(key)
        else:
            operation = array_operation(value)
            if operation is not None:
                op, items = operation
                attributes[key] = apply_array_op(op, items, attributes.get(key), exists and key in attributes)
            else:
                if exists and is_relation_value(attributes.get(key)):
                    relation_keys.add(key)  # a plain value replaces a relation: its edges go
                attributes[key] = value
    return attributes, relation_keys


def sync_relation_edges(entity: Entity, keys: set[str]) -> None:
    """Rebuild the edge rows of ``entity`` for the relation attributes in ``keys``."""
    if not keys:
        return
    EntityRelation.objects.filter(source=entity, attribute__in=keys).delete()
    edges = []
    for key in sorted(keys):
        value = entity.attributes.get(key)
        if not isinstance(value, dict):
            continue
        for kind, marker in (("relation", "$relation"), ("relation_ref", "$relation_ref")):
            for item in value.get(marker) or []:
                target = parse_entity_id(item.get("entity_id")) if isinstance(item, dict) else None
                if target:
                    edges.append(EntityRelation(organization_id=entity.organization_id, source=entity,
                                                target_id=target, attribute=key, kind=kind))
    if edges:
        existing = set(Entity.objects.filter(organization_id=entity.organization_id,
                                             pk__in={e.target_id for e in edges}).values_list("pk", flat=True))
        EntityRelation.objects.bulk_create([e for e in edges if e.target_id in existing])


def mark_synced(ctx: WriteContext, entity: Entity, changed: bool) -> None:
    entity.last_synced_at = ctx.now
    if changed:
        entity.updated_at = ctx.now
        entity.last_event_id = ctx.event_id or ""
        entity.last_integration_id = ctx.integration_id or ""


def upsert_entity(ctx: WriteContext, schema: str, unique_ids: dict, incoming: dict, config_index: int,
                  *, record: bool = True) -> tuple[Entity, str]:
    """Create or patch one entity; returns it and the action (created/updated/no_change)."""
    lock_identity(ctx.organization, schema, unique_ids)
    entity = find_one(ctx, schema, unique_ids, config_index)
    attributes, relation_keys = build_attributes(ctx, entity, schema, unique_ids, incoming, config_index)
    if entity is None:
        entity = Entity(organization=ctx.organization, schema=schema, attributes=attributes, created_at=ctx.now)
        mark_synced(ctx, entity, changed=True)
        entity.save(force_insert=True)
        action = "created"
    elif attributes == entity.attributes:
        mark_synced(ctx, entity, changed=False)
        Entity.objects.filter(pk=entity.pk).update(last_synced_at=ctx.now)
        action = "no_change"
    else:
        entity.attributes = attributes
        mark_synced(ctx, entity, changed=True)
        Entity.objects.filter(pk=entity.pk).update(
            attributes=attributes, updated_at=entity.updated_at, last_synced_at=entity.last_synced_at,
            last_event_id=entity.last_event_id, last_integration_id=entity.last_integration_id,
        )
        action = "updated"
    if action != "no_change":
        sync_relation_edges(entity, relation_keys)
    if record:
        ctx.report.entity_outcomes.append(
            EntityOutcome(schema, str(entity.id), action, unique_ids, config_index)
        )
    return entity, action


def delete_entity(ctx: WriteContext, schema: str, unique_ids: dict, config_index: int, *, purge: bool) -> None:
    """``delete``: soft delete (recycle bin); ``purge``: hard delete. Only the unique ids are used."""
    lock_identity(ctx.organization, schema, unique_ids)
    entity = find_one(ctx, schema, unique_ids, config_index)
    if entity is None:
        ctx.report.entity_outcomes.append(EntityOutcome(schema, None, "no_change", unique_ids, config_index))
        return
    if purge:
        entity.delete()
        action = "purged"
    else:
        Entity.objects.filter(pk=entity.pk).update(
            deleted_at=ctx.now, updated_at=ctx.now, last_synced_at=ctx.now,
            last_event_id=ctx.event_id or "", last_integration_id=ctx.integration_id or "",
        )
        action = "deleted"
    ctx.report.entity_outcomes.append(EntityOutcome(schema, str(entity.id), action, unique_ids, config_index))
