"""Evaluating one event: the payload converted once, expressions and `field` lookups on items.

Every error leaves here as a ``MappingError`` that names the place in the configuration.
"""
from __future__ import annotations

import re
import time
from typing import Any

from integrations.mapping import jsonata as expressions
from integrations.mapping.environment import EMPTY_ENVIRONMENT, MappingEnvironment, bindings_for
from integrations.mapping.jsonata import UNDEFINED, ExpressionError, PreparedData
from integrations.mapping.payload import MAX_DEPTH
from integrations.mapping.results import MappingError, MappingWarning


def config_error(path: str, message: str) -> MappingError:
    return MappingError("INVALID_CONFIGURATION", f"{path}: {message}", {"path": path})


def truthy(value: Any) -> bool:
    """JSONata ``$boolean`` semantics (undefined, null, "", 0, [], {} and all-falsy arrays are false)."""
    if value is UNDEFINED or value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list):
        return any(truthy(v) for v in value)
    if isinstance(value, dict):
        return len(value) > 0
    return True


def expand(data: Any) -> list[Any]:
    """An array gives one item per element, anything else one item, undefined/null/[] none."""
    if data is UNDEFINED or data is None:
        return []
    if isinstance(data, list):
        return [item for item in data if item is not None]
    return [data]


class Item:
    """A value that expressions are evaluated on, converted for the engine on first use."""

    __slots__ = ("value", "_prepared")

    def __init__(self, value: Any, prepared: PreparedData | None = None):
        self.value = value
        self._prepared = prepared

    @property
    def prepared(self) -> PreparedData:
        if self._prepared is None:
            self._prepared = expressions.prepare(self.value)
        return self._prepared


class EventScope:
    """The original payload of one event, converted once; evaluates expressions against it or items.

    Each expression is bounded by the engine's time limit, and all expressions of the event together by
    ``event_timeout_ms``: many slow-but-legal expressions (or items) must not hold a request or worker.
    ``environment`` is what ``$env``, ``env_var_ref`` and ``portal_ref`` read; ``warnings`` collects what
    resolving them found (``ENV_VAR_REF_NOT_FOUND``, ``PORTAL_REF_AMBIGUOUS``) for the mapping result.
    """

    def __init__(self, payload: Any, environment: MappingEnvironment | None = None):
        self.payload = payload
        self.root = Item(payload)  # converted for the engine on first use, once
        self.budget_ms = expressions.current_config().event_timeout_ms
        self.deadline = time.monotonic() + self.budget_ms / 1000
        self.environment = environment or EMPTY_ENVIRONMENT
        self.entity_schema = ""  # the entity configuration being mapped (names warnings)
        self.warnings: list[MappingWarning] = []

    def warn(self, code: str, attribute: str, path: str, message: str) -> None:
        warning = MappingWarning(self.entity_schema, attribute, f"{code}: {path}: {message}", code=code)
        if warning not in self.warnings:  # one per place, not one per item of an array payload
            self.warnings.append(warning)

    def item(self, value: Any) -> Item:
        return self.root if value is self.payload else Item(value)

    def expression(self, text: Any, item: Item, path: str) -> Any:
        """``text`` evaluated on ``item`` with the original payload bound as ``$root``."""
        if not isinstance(text, str):
            raise config_error(path, "must be a JSONata expression string")
        steps = simple_path(text)
        if steps is not None:
            value = walk(item.value, steps)
            if value is not _NOT_SIMPLE:
                return value
        bindings = bindings_for(text, root=self.payload, environment=self.environment)
        try:
            remaining_ms = self._remaining_ms(text)
            try:
                value = expressions.evaluate(text, item.prepared, bindings, remaining_ms)
            except ExpressionError as exc:
                if remaining_ms is not None and exc.code == "D1012":
                    exc.message = f"The mapping of this event exceeded its time limit of {self.budget_ms} ms"
                raise
            if isinstance(value, dict | list) and _deeper_than(value, MAX_DEPTH - 1):
                # built without recursion (e.g. by $reduce): it would break every recursive consumer
                raise ExpressionError(f"The result is nested deeper than {MAX_DEPTH} levels", expression=text)
            return value
        except ExpressionError as exc:
            raise MappingError(
                "JSONATA_ERROR",
                f"{path}: JSONata error{' ' + exc.code if exc.code else ''}: {exc.message}",
                {"path": path, "jsonata": exc.as_dict()},
            ) from None

    def _remaining_ms(self, text: str) -> int | None:
        """The time this evaluation may take when the event's budget is shorter than the engine's limit."""
        remaining = int((self.deadline - time.monotonic()) * 1000)
        if remaining <= 0:
            raise ExpressionError(
                f"The mapping of this event exceeded its time limit of {self.budget_ms} ms",
                code="D1012", expression=text,
            )
        return remaining if remaining < expressions.current_config().timeout_ms else None

    def field(self, name: Any, item: Item, path: str) -> Any:
        """A ``field`` reference: ``$$…`` on the original payload, ``$…`` JSONata on the item, else a key."""
        if not isinstance(name, str) or not name:
            raise config_error(path, "must be a non-empty string")
        if name.startswith("$$"):
            return self.expression(name, self.root, path)
        if name.startswith("$"):
            return self.expression(name, item, path)
        return lookup(item.value, name)

    def enabled(self, flag: Any, item: Item, path: str) -> bool:
        if flag is None or isinstance(flag, bool):
            return flag is not False
        if isinstance(flag, str):
            return truthy(self.expression(flag, item, path))
        raise config_error(path, "must be a boolean or a JSONata expression string")

    def value_of(self, spec: dict, item: Item, path: str, *, required: bool = True) -> Any:
        """``constant`` > ``jsonataExpression`` > ``field`` (the documented precedence)."""
        if "constant" in spec:
            return spec["constant"]
        if "jsonataExpression" in spec:
            return self.expression(spec["jsonataExpression"], item, f"{path}.jsonataExpression")
        if "field" in spec:
            return self.field(spec["field"], item, f"{path}.field")
        if required:
            raise config_error(path, "needs one of constant, jsonataExpression or field")
        return UNDEFINED


def _deeper_than(value: dict | list, remaining: int) -> bool:
    """``payload.nested_deeper_than(value, remaining + 1)`` by bounded recursion (at most ``remaining`` frames,
    stopping at the first container that deep): several times faster on the small results of field
    expressions than the iterative walk, which stays for payloads of any depth."""
    for child in value.values() if isinstance(value, dict) else value:
        if isinstance(child, dict | list) and (remaining <= 0 or _deeper_than(child, remaining - 1)):
            return True
    return False


_NOT_SIMPLE = object()
_SIMPLE_PATH = re.compile(r"(?:\$\$?\.)?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_simple_paths: dict[str, tuple[str, ...] | None] = {}


def simple_path(text: str) -> tuple[str, ...] | None:
    """The steps of a plain object path (``a.b``, ``$.a.b``, ``$$.a``), which need no JSONata engine.

    Only an optimisation: ``walk`` answers exactly what JSONata would when every step meets an object,
    and gives up (``_NOT_SIMPLE``) otherwise, so the engine evaluates the expression.
    """
    steps = _simple_paths.get(text, _NOT_SIMPLE)
    if steps is _NOT_SIMPLE:
        stripped = text.strip()
        if _SIMPLE_PATH.fullmatch(stripped) and stripped not in _JSONATA_WORDS:
            parts = stripped.split(".")
            steps = tuple(parts[1:] if parts[0] in ("$", "$$") else parts)
        else:
            steps = None
        if len(_simple_paths) > 4096:
            _simple_paths.clear()
        _simple_paths[text] = steps
    return steps


_JSONATA_WORDS = {"true", "false", "null", "and", "or", "in", "function"}


def walk(value: Any, steps: tuple[str, ...]) -> Any:
    if value is UNDEFINED:
        return UNDEFINED
    for step in steps:
        if not isinstance(value, dict):
            return _NOT_SIMPLE  # arrays map, scalars and null end the path: leave it to JSONata
        if step in value:
            value = value[step]
        else:
            return UNDEFINED
    return value


def lookup(value: Any, name: str) -> Any:
    """A property lookup; a dotted name walks nested objects when no key has the literal name."""
    if not isinstance(value, dict):
        return UNDEFINED
    if name in value:
        return value[name]
    if "." not in name:
        return UNDEFINED
    current: Any = value
    for part in name.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return UNDEFINED
    return current
