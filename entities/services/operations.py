"""Pure value operations of the write stage: array operations, deep equality ignoring ``_id``. No Django."""
from __future__ import annotations

import uuid
from typing import Any

ARRAY_OPS = ("_set", "_append", "_append_all")


def as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def array_operation(value: Any) -> tuple[str, list] | None:
    """``{"_set"|"_append"|"_append_all": [...]}`` -> (op, items); anything else -> None."""
    if isinstance(value, dict) and len(value) == 1:
        ((op, items),) = value.items()
        if op in ARRAY_OPS:
            return op, as_list(items)
    return None


def without_item_id(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "_id"}
    return value


def json_equal(a: Any, b: Any) -> bool:
    """Deep equality of JSON values. Python's ``==`` treats ``True`` as ``1`` and ``False`` as ``0``;
    JSON does not (``1`` and ``1.0`` stay equal, as in JSONata)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(json_equal, a, b))
    return a == b


def same_item(a: Any, b: Any) -> bool:
    """Deep equality of two repeatable items, ignoring their ``_id`` (docs/entity-store.md, array
    operations)."""
    return json_equal(without_item_id(a), without_item_id(b))


def apply_array_op(op: str, items: list, stored: Any, exists: bool) -> list:
    """Apply an array operation against the stored value. Both appends act as ``_set`` on a new entity;
    ``_append`` skips items deep-equal (ignoring ``_id``) to one already present."""
    if op == "_set" or not exists:
        return list(items)
    current = as_list(stored)
    if op == "_append_all":
        return current + list(items)
    out = list(current)
    for item in items:
        if not any(same_item(item, present) for present in out):
            out.append(item)
    return out


def apply_keyed_op(op: str, items: list[dict], stored: list[dict], exists: bool, key) -> list[dict]:
    """The same operations on relation lists, where ``_append`` dedupes on ``key(item)``."""
    if op == "_set" or not exists:
        return list(items)
    if op == "_append_all":
        return list(stored) + list(items)
    out = list(stored)
    seen = {key(item) for item in out}
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            out.append(item)
    return out


def write_repeatable_items(op: str, values: list, stored: Any) -> tuple[list, list[str | None]]:
    """Write ``values`` into a repeatable attribute (relation_ref targets) keeping existing item ``_id``s.

    Each value deep-equal (ignoring ``_id``) to a stored item reuses that item's ``_id``; others get a new
    one. Returns the new attribute list and, per value, the ``_id`` it ended up with.
    """
    current = as_list(stored)

    def with_id(value: Any, pool: list) -> tuple[Any, str | None]:
        if not isinstance(value, dict):
            return value, None
        match = next((p for p in pool if isinstance(p, dict) and same_item(p, value) and p.get("_id")), None)
        item_id = match["_id"] if match else (value.get("_id") or str(uuid.uuid4()))
        return {**without_item_id(value), "_id": item_id}, item_id

    ids: list[str | None] = []
    if op == "_set":
        out = []
        for value in values:
            item, item_id = with_id(value, current)
            out.append(item)
            ids.append(item_id)
        return out, ids
    out = list(current)
    for value in values:
        index = next((i for i, p in enumerate(out) if same_item(p, value)), None)
        if op == "_append" and index is not None:
            present = out[index]
            if isinstance(present, dict) and not present.get("_id"):
                present = out[index] = {**present, "_id": str(uuid.uuid4())}
            ids.append(present.get("_id") if isinstance(present, dict) else None)
            continue
        item, item_id = with_id(value, [] if op == "_append_all" else current)
        out.append(item)
        ids.append(item_id)
    return out, ids
