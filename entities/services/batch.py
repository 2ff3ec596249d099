"""Set-based upsert of a run of plain entity updates: one lock query, one lookup, one insert, one update.

Used for consecutive updates of one schema with the same identifier keys, scalar identifier values, no
``_id`` and no relation attributes (the bulk of ERP traffic). The result is the same as applying them one
by one; whenever that cannot be guaranteed (an identity twice, an entity matched by two updates, attributes
that would make an entity match another update's identity) the run falls back to the one-by-one path before
anything is written.
"""
from __future__ import annotations

from typing import Any

from django.db import connections

from entities.models import Entity
from entities.services.context import WriteContext
from entities.services.errors import StoreError
from entities.services.lookup import SCALARS, _split, identities_condition, python_match
from entities.services.operations import array_operation, json_equal
from entities.services.report import EntityOutcome
from entities.services.rows import (
    UPDATED_FIELDS,
    insert_rows,
    is_relation_value,
    lock_identities,
    sync_relation_edges,
    update_rows,
)
from entities.services.upsert import build_attributes, upsert_entity

MIN_BATCH = 2


def _scalar_key(value: Any) -> tuple:
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", float(value))
    return ("s", value)


def batch_key(update) -> tuple | None:
    """Updates with the same key can share a batch; None means "apply one by one"."""
    ids = update.unique_identifiers
    if not ids or "_id" in ids or not all(isinstance(v, SCALARS) for v in ids.values()):
        return None
    for value in (update.attributes or {}).values():
        if isinstance(value, dict) and ("$relation" in value or "$relation_ref" in value):
            return None
    for key, value in ids.items():  # attributes may only re-state the entity's own identity
        attribute, sub = _split(key)
        if attribute not in (update.attributes or {}):
            continue
        if not _introduces_only(update.attributes[attribute], sub, value):
            return None
    return (update.entity_slug, tuple(sorted(ids)))


def _introduces_only(value: Any, sub: str | None, identity: Any) -> bool:
    operation = array_operation(value)
    items = operation[1] if operation else (value if isinstance(value, list) else [value])
    if sub is None:
        return all(_scalar_key(item) == _scalar_key(identity) if isinstance(item, SCALARS) else False
                   for item in items)
    for item in items:
        if not isinstance(item, dict):
            return False
        if sub in item and not (isinstance(item[sub], SCALARS) and _scalar_key(item[sub]) == _scalar_key(identity)):
            return False
    return True


def _candidate_values(attributes: dict, key: str) -> list:
    attribute, sub = _split(key)
    stored = attributes.get(attribute)
    values = stored if isinstance(stored, list) else [stored]
    if sub is not None:
        values = [item.get(sub) for item in values if isinstance(item, dict)]
    return [v for v in values if isinstance(v, SCALARS)]


class NotBatchable(Exception):
    """``upsert_batch(strict=True)``: the run cannot be applied set-based; nothing was written."""


def upsert_batch(ctx: WriteContext, updates: list, *, event_ids: list[str] | None = None,
                 strict: bool = False) -> list[Entity]:
    """Apply ``updates`` (sharing one ``batch_key``) in order; returns the entity of each update.

    ``event_ids``: the event of each update (a run gathered from several events of a lane), written as the
    entity's ``last_event_id``; default ``ctx.event_id``. ``strict``: raise :class:`NotBatchable` instead of
    falling back to the one-by-one path (whose writes would carry ``ctx.event_id``)."""
    schema = updates[0].entity_slug
    identities = [dict(u.unique_identifiers) for u in updates]
    first_key = sorted(identities[0])[0]
    by_identity: dict[tuple, int] = {}
    for index, ids in enumerate(identities):
        identity = tuple(sorted((k, _scalar_key(v)) for k, v in ids.items()))
        if identity in by_identity:
            return _fallback(ctx, updates, strict)
        by_identity[identity] = index
    by_first: dict[tuple, list[int]] = {}
    for index, ids in enumerate(identities):
        by_first.setdefault(_scalar_key(ids[first_key]), []).append(index)

    lock_identities(ctx, schema, identities)
    qs = Entity.objects.filter(organization=ctx.organization, schema=schema, deleted_at__isnull=True)
    vendor = connections[qs.db].vendor
    matches: dict[int, list[Entity]] = {}
    # Row-lock what is read (in id order, so two batches never lock crosswise): writers reaching these
    # entities through other identifiers hold other identity locks, and a merge from a stale read would
    # drop their changes (the single-upsert path re-reads under the same lock).
    found = qs.filter(identities_condition(vendor, identities)).order_by("pk").select_for_update()
    for entity in found:
        hits = {i for value in _candidate_values(entity.attributes, first_key)
                for i in by_first.get(_scalar_key(value), [])
                if all(python_match(entity.attributes, k, v) for k, v in identities[i].items())}
        if len(hits) > 1:
            return _fallback(ctx, updates, strict)  # one entity answers two identities: order matters
        for i in hits:
            matches.setdefault(i, []).append(entity)

    for index, found in matches.items():
        if len(found) > 1:
            update = updates[index]
            raise StoreError(
                "UNIQUE_ID_MULTIPLE_MATCHES",
                f"More than one '{schema}' entity matches the unique identifiers {update.unique_identifiers}",
                {"entity_schema": schema, "unique_identifiers": update.unique_identifiers,
                 "config_index": update.config_index, "entity_ids": [str(e.id) for e in found]},
            )

    to_create, to_update, unchanged, relation_edges = [], [], [], []
    entities: list[Entity] = []
    for index, update in enumerate(updates):
        event_id = (event_ids[index] if event_ids is not None else ctx.event_id) or ""
        entity = matches.get(index, [None])[0]
        attributes, relation_keys = build_attributes(ctx, entity, schema, identities[index],
                                                     dict(update.attributes or {}), update.config_index)
        if entity is None:
            entity = Entity(organization=ctx.organization, schema=schema, attributes=attributes,
                            created_at=ctx.now, updated_at=ctx.now, last_synced_at=ctx.now,
                            last_event_id=event_id, last_integration_id=ctx.integration_id or "")
            to_create.append(entity)
            action = "created"
        elif json_equal(attributes, entity.attributes):
            unchanged.append(entity.pk)
            action = "no_change"
        else:
            entity.attributes = attributes
            entity.updated_at = entity.last_synced_at = ctx.now
            entity.last_event_id, entity.last_integration_id = event_id, ctx.integration_id or ""
            to_update.append(entity)
            action = "updated"
        if relation_keys:
            relation_edges.append((entity, relation_keys))
        entities.append(entity)
        ctx.report.entity_outcomes.append(
            EntityOutcome(schema, str(entity.id), action, identities[index], update.config_index))

    ctx.forget(schema)
    if to_create:
        insert_rows(to_create)
    if to_update:
        update_rows(to_update, UPDATED_FIELDS)
    if unchanged:
        Entity.objects.filter(pk__in=unchanged).update(last_synced_at=ctx.now)
    if relation_edges:
        for entity, keys in relation_edges:  # a plain value replaced a stored relation
            sync_relation_edges(entity, keys)
    return entities


def _fallback(ctx: WriteContext, updates: list, strict: bool) -> list[Entity]:
    if strict:
        raise NotBatchable(updates[0].entity_slug)
    return _one_by_one(ctx, updates)


def _one_by_one(ctx: WriteContext, updates: list) -> list[Entity]:
    return [
        upsert_entity(ctx, u.entity_slug, dict(u.unique_identifiers), dict(u.attributes or {}), u.config_index)[0]
        for u in updates
    ]


__all__ = ["MIN_BATCH", "NotBatchable", "batch_key", "is_relation_value", "upsert_batch"]
