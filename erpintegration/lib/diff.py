"""Structural diff of two JSON documents (use-case versions) for a side-by-side view.

Pure: no Django. Documents are flattened to leaf paths (``entities[0].fields[attribute=email].field``)
and compared path by path. Lists of objects that carry an identity key (``attribute``, ``entity_schema``,
``id``, ...) are matched by that key rather than by position, so inserting a field at the top shows one
added field instead of every later field as changed.
"""
import json
from dataclasses import dataclass
from typing import Any

IDENTITY_KEYS = ("id", "attribute", "entity_schema", "key", "name", "reading_matching")
EXPRESSION_HINTS = ("jsonata", "expression")
_MISSING = object()

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # added | removed | changed | unchanged
    old: Any = None
    new: Any = None

    @property
    def is_expression(self) -> bool:
        last = self.path.rsplit(".", 1)[-1].lower()
        return any(hint in last for hint in EXPRESSION_HINTS)

    @property
    def old_text(self) -> str:
        return "" if self.kind == ADDED else render(self.old)

    @property
    def new_text(self) -> str:
        return "" if self.kind == REMOVED else render(self.new)


def render(value: Any) -> str:
    """Strings as they are (expressions stay readable), everything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _identity_key(items: list) -> str | None:
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in IDENTITY_KEYS:
        values = [item.get(key) for item in items]
        if all(isinstance(v, str | int) and not isinstance(v, bool) for v in values) and len(set(values)) == len(values):
            return key
    return None


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def flatten(value: Any, prefix: str = "", *, key_for: dict | None = None) -> dict[str, Any]:
    """Leaf path -> value. ``key_for`` maps a list's path to the identity key used for its items."""
    key_for = key_for if key_for is not None else {}
    out: dict[str, Any] = {}
    if isinstance(value, dict) and value:
        for key, item in value.items():
            out.update(flatten(item, _join(prefix, str(key)), key_for=key_for))
    elif isinstance(value, list) and value:
        identity = key_for.get(prefix, _MISSING)
        if identity is _MISSING:
            identity = _identity_key(value)
        for index, item in enumerate(value):
            label = f"{identity}={item[identity]}" if identity else str(index)
            out.update(flatten(item, f"{prefix}[{label}]", key_for=key_for))
    else:
        out[prefix or "$"] = value
    return out


def _list_identities(old: Any, new: Any, prefix: str = "", found: dict | None = None) -> dict:
    """The identity key of each list path, chosen so that it works for *both* documents."""
    found = found if found is not None else {}
    if isinstance(old, dict) or isinstance(new, dict):
        old_d = old if isinstance(old, dict) else {}
        new_d = new if isinstance(new, dict) else {}
        for key in list(old_d) + [k for k in new_d if k not in old_d]:
            _list_identities(old_d.get(key), new_d.get(key), _join(prefix, str(key)), found)
    elif isinstance(old, list) or isinstance(new, list):
        old_l = old if isinstance(old, list) else []
        new_l = new if isinstance(new, list) else []
        old_key, new_key = _identity_key(old_l), _identity_key(new_l)
        identity = old_key if old_key == new_key or not new_l else (new_key if not old_l else None)
        found[prefix] = identity
        if identity:
            old_by = {item[identity]: item for item in old_l}
            new_by = {item[identity]: item for item in new_l}
            for value in list(old_by) + [v for v in new_by if v not in old_by]:
                _list_identities(old_by.get(value), new_by.get(value), f"{prefix}[{identity}={value}]", found)
        else:
            for index in range(max(len(old_l), len(new_l))):
                _list_identities(
                    old_l[index] if index < len(old_l) else None,
                    new_l[index] if index < len(new_l) else None,
                    f"{prefix}[{index}]",
                    found,
                )
    return found


def diff(old: Any, new: Any, *, include_unchanged: bool = False) -> list[Change]:
    """Changes from ``old`` to ``new`` in document order (old's order, then paths only in new)."""
    key_for = _list_identities(old, new)
    # A missing document (a use case without configuration) is empty, not a ``null`` leaf.
    flat_old = {} if old is None else flatten(old, key_for=key_for)
    flat_new = {} if new is None else flatten(new, key_for=key_for)
    changes: list[Change] = []
    for path in list(flat_old) + [p for p in flat_new if p not in flat_old]:
        before = flat_old.get(path, _MISSING)
        after = flat_new.get(path, _MISSING)
        if before is _MISSING:
            changes.append(Change(path, ADDED, new=after))
        elif after is _MISSING:
            changes.append(Change(path, REMOVED, old=before))
        elif before != after or type(before) is not type(after):
            changes.append(Change(path, CHANGED, old=before, new=after))
        elif include_unchanged:
            changes.append(Change(path, UNCHANGED, old=before, new=after))
    return changes


def summarize(changes: list[Change]) -> dict[str, int]:
    counts = {ADDED: 0, REMOVED: 0, CHANGED: 0}
    for change in changes:
        if change.kind in counts:
            counts[change.kind] += 1
    return counts
