"""Entity writes: create/patch one entity (array ops, relations, relation refs), delete or purge it."""
from __future__ import annotations

from entities.models import Entity
from entities.services.context import WriteContext
from entities.services.operations import apply_array_op, array_operation, json_equal
from entities.services.relations import resolve_relation_attribute, resolve_relation_ref_attribute
from entities.services.report import EntityOutcome
from entities.services.rows import (
    SYNCED_FIELDS,
    UPDATED_FIELDS,
    answers_identity,
    find_one,
    identity_attributes,
    insert_entity,
    is_relation_value,
    lock_identity,
    mark_synced,
    sync_relation_edges,
    update_rows,
)

RESERVED_ATTRIBUTES = ("_id",)


def build_attributes(ctx: WriteContext, entity: Entity | None, schema: str, unique_ids: dict, incoming: dict,
                     config_index: int) -> tuple[dict, set[str]]:
    """The entity's attributes after applying ``incoming``; also the relation attributes that were written."""
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


def upsert_entity(ctx: WriteContext, schema: str, unique_ids: dict, incoming: dict, config_index: int,
                  *, record: bool = True) -> tuple[Entity, str]:
    """Create or patch one entity; returns it and the action (created/updated/no_change)."""
    lock_identity(ctx, schema, unique_ids)
    # the lookup row-locks what it finds: writers reaching this entity through other identifiers (other identity
    # locks) merge into the same attributes, and a merge from a stale read would drop their changes. PostgreSQL
    # re-checks a row changed meanwhile against the lookup once the lock is free (deleted: not found).
    entity = find_one(ctx, schema, unique_ids, config_index, for_update=True)
    attributes, relation_keys = build_attributes(ctx, entity, schema, unique_ids, incoming, config_index)
    ctx.forget(schema)
    if entity is None:
        entity = Entity(organization=ctx.organization, schema=schema, attributes=attributes, created_at=ctx.now)
        mark_synced(ctx, entity, changed=True)
        insert_entity(entity)
        action = "created"
    elif json_equal(attributes, entity.attributes):
        mark_synced(ctx, entity, changed=False)
        update_rows([entity], SYNCED_FIELDS)
        action = "no_change"
    else:
        entity.attributes = attributes
        mark_synced(ctx, entity, changed=True)
        update_rows([entity], UPDATED_FIELDS)
        action = "updated"
    if action != "no_change":
        sync_relation_edges(entity, relation_keys, created=action == "created")
    if answers_identity(entity, unique_ids):  # then a lookup of ``unique_ids`` finds exactly this entity now
        ctx.remember(schema, unique_ids, entity)
    if record:
        ctx.report.entity_outcomes.append(
            EntityOutcome(schema, str(entity.id), action, unique_ids, config_index)
        )
    return entity, action


def delete_entity(ctx: WriteContext, schema: str, unique_ids: dict, config_index: int, *, purge: bool) -> None:
    """``delete``: soft delete (recycle bin); ``purge``: hard delete. Only the unique ids are used."""
    ctx.forget(schema)
    lock_identity(ctx, schema, unique_ids)
    entity = find_one(ctx, schema, unique_ids, config_index)
    if entity is None:
        ctx.report.entity_outcomes.append(EntityOutcome(schema, None, "no_change", unique_ids, config_index))
        return
    entity_id = str(entity.pk)  # delete() clears the pk
    if purge:
        entity.delete()
        action = "purged"
    else:
        Entity.objects.filter(pk=entity.pk).update(
            deleted_at=ctx.now, updated_at=ctx.now, last_synced_at=ctx.now,
            last_event_id=ctx.event_id or "", last_integration_id=ctx.integration_id or "",
        )
        action = "deleted"
    ctx.report.entity_outcomes.append(EntityOutcome(schema, entity_id, action, unique_ids, config_index))


