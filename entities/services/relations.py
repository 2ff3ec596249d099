"""Resolving ``$relation`` and ``$relation_ref`` attributes (docs/entity-store.md, relations).

All-or-nothing per attribute: every item is looked up first; if any item cannot be resolved (ambiguous, or an
``_id`` that does not exist) the attribute is skipped with an UNIQUE_ID_LOOKUP_UNRESOLVABLE warning and nothing
is created for it. Otherwise missing related entities are created from their identifiers (and ``_tags``).
"""
from __future__ import annotations

from typing import Any

from entities.models import Entity
from entities.services.context import WriteContext
from entities.services.lookup import find_by_unique_ids, parse_entity_id
from entities.services.operations import ARRAY_OPS, apply_keyed_op, as_list, write_repeatable_items
from entities.services.report import EntityOutcome
from entities.services.rows import find_one, identity_attributes, insert_entity, lock_identity, mark_synced

DEFAULT_REF_VALUE_OPERATION = "_append"


def _operation(spec: Any) -> tuple[str, list] | None:
    if isinstance(spec, dict) and len(spec) == 1:
        ((op, items),) = spec.items()
        if op in ARRAY_OPS:
            return op, [item for item in as_list(items) if item is not None]
    return None


def _unresolvable(ctx: WriteContext, schema: str, key: str, reason: str) -> None:
    ctx.warn(f"UNIQUE_ID_LOOKUP_UNRESOLVABLE: relation attribute '{key}' of '{schema}' skipped: {reason}")


def _lookup_all(ctx: WriteContext, schema: str, key: str, items: list) -> list[Entity | None] | None:
    """Pass 1: each item's entity or None (to create); None overall if any item is unresolvable."""
    found: list[Entity | None] = []
    for index, item in enumerate(items):
        ids = item.get("$entity_unique_ids") if isinstance(item, dict) else None
        item_schema = item.get("_schema") if isinstance(item, dict) else None
        if not item_schema and isinstance(ids, dict) and set(ids) == {"_id"}:  # direct mode: {entity_id}
            target = _by_id_any_schema(ctx, ids["_id"])
            if target is None:
                _unresolvable(ctx, schema, key, f"item {index}: no entity with id {ids['_id']}")
                return None
            item["_schema"] = target.schema
            found.append(target)
            continue
        if not isinstance(ids, dict) or not ids or not item_schema:
            _unresolvable(ctx, schema, key, f"item {index} has no _schema or $entity_unique_ids")
            return None
        known = ctx.recall(item_schema, ids)  # upserted by this event a moment ago: no lookup needed
        matches = [known] if known is not None else find_by_unique_ids(ctx.organization, item_schema, ids)
        if len(matches) > 1:
            _unresolvable(ctx, schema, key, f"item {index} matches more than one '{item_schema}' {ids}")
            return None
        if not matches and "_id" in ids:
            _unresolvable(ctx, schema, key, f"item {index}: no '{item_schema}' entity with id {ids['_id']}")
            return None
        found.append(matches[0] if matches else None)
    return found


def _by_id_any_schema(ctx: WriteContext, entity_id: Any) -> Entity | None:
    """A direct-mode ``{entity_id}`` relation item names no schema: the organisation's live entity of that id."""
    pk = parse_entity_id(entity_id)
    if pk is None:
        return None
    return Entity.objects.filter(organization=ctx.organization, pk=pk, deleted_at__isnull=True).first()


def _find_or_create(ctx: WriteContext, item: dict, entity: Entity | None, config_index: int) -> Entity:
    """Pass 2: the looked-up entity, or a new one with the identifier attributes and ``_tags``."""
    if entity is not None:
        return entity
    schema, ids = item["_schema"], item["$entity_unique_ids"]
    lock_identity(ctx, schema, ids)
    existing = find_one(ctx, schema, ids, config_index)  # an earlier item of this list may have created it
    if existing is not None:
        return existing
    attributes = identity_attributes(ids)
    if item.get("_tags"):
        attributes["_tags"] = list(item["_tags"])
    ctx.forget(schema)
    created = Entity(organization=ctx.organization, schema=schema, attributes=attributes, created_at=ctx.now)
    mark_synced(ctx, created, changed=True)
    insert_entity(created)
    ctx.report.entity_outcomes.append(EntityOutcome(schema, str(created.id), "created", ids, config_index))
    return created


def stored_list(value: Any, marker: str) -> list:
    if isinstance(value, dict) and isinstance(value.get(marker), list):
        return list(value[marker])
    return []


def resolve_relation_attribute(ctx: WriteContext, schema: str, key: str, spec: Any, stored: Any, exists: bool,
                               config_index: int) -> dict | None:
    """``{"$relation": {op: [items]}}`` -> ``{"$relation": [{entity_id, _schema, _tags?}]}`` or None (skipped)."""
    operation = _operation(spec)
    if operation is None:
        _unresolvable(ctx, schema, key, "expected {'_set'|'_append'|'_append_all': [...]}")
        return None
    op, items = operation
    found = _lookup_all(ctx, schema, key, items)
    if found is None:
        return None
    resolved = []
    for item, entity in zip(items, found, strict=True):
        target = _find_or_create(ctx, item, entity, config_index)
        entry: dict[str, Any] = {"entity_id": str(target.id), "_schema": item["_schema"]}
        if item.get("_tags"):
            entry["_tags"] = list(item["_tags"])
        resolved.append(entry)
    current = stored_list(stored, "$relation")
    return {"$relation": apply_keyed_op(op, resolved, current, exists, key=lambda e: e.get("entity_id"))}


def _write_ref_value(ctx: WriteContext, target: Entity, item: dict, config_index: int) -> list[str | None]:
    """Write the item's value into the target's repeatable attribute; returns the ``_id`` of each value."""
    spec = item.get("value") if isinstance(item.get("value"), dict) else {}
    attribute = spec.get("attribute") or item.get("path")
    values = as_list(spec.get("value"))
    if not attribute or not values:
        return []
    op = spec.get("operation") if spec.get("operation") in ARRAY_OPS else DEFAULT_REF_VALUE_OPERATION
    # fresh (an earlier item may have written it) and locked: events of other integrations may append to
    # the same entity at the same time, and this is a read-modify-write of its attribute
    target = Entity.objects.select_for_update().get(pk=target.pk)
    new_value, item_ids = write_repeatable_items(op, values, target.attributes.get(attribute))
    if target.attributes.get(attribute) != new_value:
        ctx.forget(target.schema)
        target.attributes[attribute] = new_value
        mark_synced(ctx, target, changed=True)
        target.save(update_fields=["attributes", "updated_at", "last_synced_at", "last_event_id",
                                   "last_integration_id"])
        already = any(o.entity_id == str(target.id) and o.action == "created" for o in ctx.report.entity_outcomes)
        if not already:
            ctx.report.entity_outcomes.append(EntityOutcome(
                target.schema, str(target.id), "updated", item["$entity_unique_ids"], config_index))
    return item_ids


def resolve_relation_ref_attribute(ctx: WriteContext, schema: str, key: str, spec: Any, stored: Any,
                                   exists: bool, config_index: int) -> dict | None:
    """``{"$relation_ref": {op: [items]}}`` -> ``{"$relation_ref": [{entity_id, path, _id}]}`` or None."""
    operation = _operation(spec)
    if operation is None:
        _unresolvable(ctx, schema, key, "expected {'_set'|'_append'|'_append_all': [...]}")
        return None
    op, items = operation
    found = _lookup_all(ctx, schema, key, items)
    if found is None:
        return None
    refs = []
    for item, entity in zip(items, found, strict=True):
        target = _find_or_create(ctx, item, entity, config_index)
        path = item.get("path") or (item.get("value") or {}).get("attribute")
        for item_id in _write_ref_value(ctx, target, item, config_index):
            refs.append({"entity_id": str(target.id), "path": path, "_id": item_id})
    current = stored_list(stored, "$relation_ref")
    merged = apply_keyed_op(op, refs, current, exists, key=lambda r: (r.get("entity_id"), r.get("_id")))
    return {"$relation_ref": merged}
