"""Hydrating a catalog event for ``event_filter``: relations resolved from the hub's entity store.

A relation in the entity store's notation, ``{"$relation": [{"entity_id": …}, …]}``, found at the top of
the payload or one level down (``contract.customer``), becomes the list of the related entities'
attributes with ``_id`` and ``_schema`` added, so a filter can say ``$count(ticket._purpose[...]) > 0``
whether the publisher embedded the ticket or only referenced it. Related entities that do not exist (or
are deleted) are left out. One query per event; the mappings keep seeing the payload as published.
"""
from __future__ import annotations

from typing import Any

from entities.selectors import live_entities_by_id

DEPTH = 2


def _relation_items(value: Any) -> list[dict] | None:
    if isinstance(value, dict) and isinstance(value.get("$relation"), list):
        return [item for item in value["$relation"] if isinstance(item, dict)]
    return None


def _referenced_ids(node: Any, depth: int) -> set[str]:
    if not isinstance(node, dict) or depth == 0:
        return set()
    ids: set[str] = set()
    for value in node.values():
        items = _relation_items(value)
        if items is not None:
            ids.update(str(item.get("entity_id")) for item in items if item.get("entity_id"))
        else:
            ids |= _referenced_ids(value, depth - 1)
    return ids


def _replace(node: Any, entities: dict, depth: int) -> Any:
    if not isinstance(node, dict) or depth == 0:
        return node
    result = {}
    for key, value in node.items():
        items = _relation_items(value)
        if items is not None:
            result[key] = [{**entities[str(item.get("entity_id"))].attributes,
                            "_id": str(item.get("entity_id")), "_schema": entities[str(item.get("entity_id"))].schema}
                           for item in items if str(item.get("entity_id")) in entities]
        else:
            result[key] = _replace(value, entities, depth - 1)
    return result


def hydrate(organization, source: dict[str, Any]) -> dict[str, Any]:
    """``source`` with its relations (up to two levels deep) replaced by the related entities."""
    ids = _referenced_ids(source, DEPTH)
    if not ids:
        return source
    return _replace(source, live_entities_by_id(organization, ids), DEPTH)
