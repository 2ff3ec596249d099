"""Which ``$`` bindings a JSONata expression reads that neither JSONata nor the caller provides.

Upload steps' ``body_jsonata`` and ``enabled`` may only read ``$file_data``, ``$ack_id``, ``$env``, ``$steps``,
``$germanDate`` and ``$now`` besides JSONata's own functions and the variables the expression binds itself
(``$x := …``, lambda parameters), so a typo (``$filedata``) is refused when saving instead of silently
producing a missing key. Reads the syntax tree of jsonata-python's parser; nothing is evaluated.
"""
from __future__ import annotations

from jsonata.jsonata import Jsonata

UPLOAD_BINDINGS = frozenset({"file_data", "ack_id", "env", "steps", "germanDate", "now", "mapValue", "mapKey"})
_BUILTINS = frozenset(Jsonata.static_frame.bindings)


def _walk(node, seen: set[int]):
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    yield node
    for value in vars(node).values() if hasattr(node, "__dict__") else ():
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, (list, tuple)):
                    for inner in item:
                        if hasattr(inner, "type"):
                            yield from _walk(inner, seen)
                elif hasattr(item, "type"):
                    yield from _walk(item, seen)
        elif hasattr(value, "type") and hasattr(value, "value"):
            yield from _walk(value, seen)


def unknown_bindings(text: str, allowed: frozenset[str] = UPLOAD_BINDINGS) -> list[str]:
    """Sorted names (without ``$``) read but not provided; [] when the text does not parse (checked elsewhere)."""
    try:
        tree = Jsonata(text).ast
    except Exception:  # the parser's own exception family; compile errors are reported by check.jsonata
        return []
    used, bound = set(), set()
    for node in _walk(tree, set()):
        kind = getattr(node, "type", None)
        if kind == "variable" and isinstance(node.value, str):
            used.add(node.value)
        elif kind == "bind" and getattr(getattr(node, "lhs", None), "type", None) == "variable":
            bound.add(node.lhs.value)
        elif kind == "lambda":
            bound.update(arg.value for arg in getattr(node, "arguments", None) or [] if getattr(arg, "value", None))
    return sorted(name for name in used - bound - _BUILTINS - allowed if name not in ("", "$"))
