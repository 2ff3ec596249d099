"""Infer a ``TypeDescriptor`` from a JSONata expression by reading its syntax tree (never evaluating it).

What a mapping *constructs* is knowable: object constructors give properties, array constructors and
``path.{...}`` mappings give arrays, literals, string concatenation (``&``), arithmetic, comparisons and the
typed built-in functions (``$string``, ``$number``, ``$boolean``, ``$count``…) give primitives, a
condition gives the union of its branches. A bare path (``customer.id``) copies whatever the payload holds,
so it is ``unknown`` with ``source`` = the path, for a developer to annotate.

The parser is jsonata-python's (pure Python, already a dependency as the second engine), used only to
parse, so the shapes do not depend on which engine evaluates.
"""
from __future__ import annotations

from typing import Any

from jsonata.jsonata import Jsonata

STRING_FUNCTIONS = {"string", "substring", "substringBefore", "substringAfter", "uppercase", "lowercase",
                    "trim", "pad", "join", "replace", "base64encode", "base64decode", "encodeUrl",
                    "encodeUrlComponent", "decodeUrl", "decodeUrlComponent", "formatNumber", "formatBase",
                    "formatInteger", "now", "fromMillis", "type", "germanDate"}
NUMBER_FUNCTIONS = {"number", "abs", "floor", "ceil", "round", "power", "sqrt", "random", "sum", "max", "min",
                    "average", "count", "length", "toMillis", "millis", "parseInteger"}
BOOLEAN_FUNCTIONS = {"boolean", "not", "exists", "contains", "isArray"}
ARRAY_FUNCTIONS = {"split", "keys", "append", "sort", "reverse", "distinct", "zip", "shuffle"}
COMPARISONS = {"=", "!=", "<", "<=", ">", ">=", "and", "or", "in"}
ARITHMETIC = {"+", "-", "*", "/", "%"}


class ShapeError(ValueError):
    """The expression does not parse."""


def unknown(source: str = "") -> dict:
    return {"kind": "unknown", "source": source} if source else {"kind": "unknown"}


def infer_shape(expression: str | None) -> dict:
    """The TypeDescriptor of what ``expression`` returns; ``unknown`` (source ``$``) for no expression, which
    means the payload (or response) passes through unchanged."""
    if not expression or not expression.strip():
        return unknown("$")
    try:
        tree = Jsonata(expression).ast
    except Exception as exc:  # the parser raises its own JException family
        raise ShapeError(f"the expression does not parse: {exc}") from None
    return _shape(tree)


def _shape(node: Any) -> dict:
    kind, value = getattr(node, "type", None), getattr(node, "value", None)
    if kind == "string":
        return {"kind": "string"}
    if kind == "number":
        return {"kind": "number"}
    if kind == "value":
        return {"kind": "null"} if value is None else {"kind": "boolean"}
    if kind == "unary" and value == "{":
        return _object(getattr(node, "lhs", None) or getattr(node, "lhs_object", None) or [])
    if kind == "unary" and value == "[":
        return _array(getattr(node, "expressions", None) or [])
    if kind == "unary" and value == "-":
        return {"kind": "number"}
    if kind == "binary":
        if value == "&":
            return {"kind": "string"}
        if value in ARITHMETIC:
            return {"kind": "number"}
        if value in COMPARISONS:
            return {"kind": "boolean"}
        if value == "..":
            return {"kind": "array", "items": {"kind": "number"}}
    if kind == "function":
        return _function(node)
    if kind == "condition":
        branches = [_shape(node.then)]
        branches.append(_shape(node._else) if getattr(node, "_else", None) is not None else {"kind": "null"})
        return union(branches)
    if kind == "block":
        expressions = getattr(node, "expressions", None) or []
        return _shape(expressions[-1]) if expressions else unknown()
    if kind == "path":
        return _path(node)
    if kind in ("name", "variable", "wildcard", "descendant"):
        return unknown(source_of(node))
    return unknown(source_of(node))


def _object(pairs) -> dict:
    properties: dict[str, dict] = {}
    for key, value in pairs:
        if getattr(key, "type", None) == "string":
            properties[str(key.value)] = _shape(value)
    return {"kind": "object", "properties": properties}


def _array(items) -> dict:
    if not items:
        return {"kind": "array", "items": unknown()}
    return {"kind": "array", "items": union([_shape(item) for item in items])}


def _function(node) -> dict:
    procedure = getattr(node, "procedure", None)
    name = getattr(procedure, "value", None)
    if name in STRING_FUNCTIONS:
        return {"kind": "string"}
    if name in NUMBER_FUNCTIONS:
        return {"kind": "number"}
    if name in BOOLEAN_FUNCTIONS:
        return {"kind": "boolean"}
    if name in ARRAY_FUNCTIONS:
        return {"kind": "array", "items": unknown()}
    if name == "merge":
        return {"kind": "object", "properties": {}}
    return unknown(source_of(node))


def _path(node) -> dict:
    """``lines.{...}`` maps every item: an array of what the last step builds; any other path copies data."""
    steps = getattr(node, "steps", None) or []
    if steps and len(steps) > 1:
        last = steps[-1]
        built = _shape(last)
        if built["kind"] != "unknown":
            return {"kind": "array", "items": built}
    return unknown(source_of(node))


def source_of(node) -> str:
    """A readable JSONata path for ``node`` (``customer.id``, ``$env.x``), best effort."""
    kind, value = getattr(node, "type", None), getattr(node, "value", None)
    if kind == "name":
        return str(value)
    if kind == "variable":
        return f"${value}"
    if kind == "path":
        return ".".join(source_of(step) for step in getattr(node, "steps", None) or [])
    if kind == "function":
        return f"${getattr(getattr(node, 'procedure', None), 'value', '')}(…)"
    if kind == "wildcard":
        return "*"
    if kind == "descendant":
        return "**"
    if kind == "unary" and value == "{":
        return "{…}"
    return str(value) if value is not None else ""


def union(variants: list[dict]) -> dict:
    """One descriptor for several possibilities: identical variants collapse, unknown absorbs nothing."""
    distinct: list[dict] = []
    for variant in variants:
        flat = variant["variants"] if variant["kind"] == "union" else [variant]
        for item in flat:
            if item not in distinct:
                distinct.append(item)
    return distinct[0] if len(distinct) == 1 else {"kind": "union", "variants": distinct}
