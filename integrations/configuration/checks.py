"""Small typed checks shared by the per-type validators; each records an issue and says whether it passed."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from integrations.configuration.issues import Issues, index_path, key_path
from integrations.configuration.jsonata_checks import expression_problem
from integrations.configuration.templates import template_problem

_MISSING = object()


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class Checker:
    """Wraps an Issues collector with the JSON-schema-like checks the contract needs."""

    def __init__(self, issues: Issues | None = None):
        self.issues = issues if issues is not None else Issues()

    def add(self, path: str, message: str) -> None:
        self.issues.add(path, message)

    # --- structure -------------------------------------------------------------------------------
    def object(self, value: Any, path: str) -> bool:
        if isinstance(value, dict):
            return True
        self.add(path, f"must be an object, not {describe(value)}")
        return False

    def array(self, value: Any, path: str, *, min_items: int = 0) -> bool:
        if not isinstance(value, list):
            self.add(path, f"must be an array, not {describe(value)}")
            return False
        if len(value) < min_items:
            self.add(path, f"must contain at least {min_items} item{'s' if min_items != 1 else ''}")
            return False
        return True

    def required(self, obj: dict, key: str, path: str) -> Any:
        """The value of ``obj[key]``, or _MISSING after recording "is required"."""
        if key not in obj:
            self.add(key_path(path, key), "is required")
            return _MISSING
        return obj[key]

    # --- scalars ---------------------------------------------------------------------------------
    def string(self, value: Any, path: str, *, allow_empty: bool = False, pattern: str | None = None,
               max_length: int | None = None) -> bool:
        if not isinstance(value, str):
            self.add(path, f"must be a string, not {describe(value)}")
            return False
        if not allow_empty and not value.strip():
            self.add(path, "must not be empty")
            return False
        if max_length is not None and len(value) > max_length:
            self.add(path, f"must be at most {max_length} characters (got {len(value)})")
            return False
        if pattern is not None and not re.search(pattern, value):
            self.add(path, f"{value!r} does not match the pattern {pattern}")
            return False
        return True

    def boolean(self, value: Any, path: str) -> bool:
        if isinstance(value, bool):
            return True
        self.add(path, f"must be a boolean, not {describe(value)}")
        return False

    def enum(self, value: Any, path: str, allowed: Iterable[str]) -> bool:
        allowed = tuple(allowed)
        if isinstance(value, str) and value in allowed:
            return True
        shown = repr(value) if isinstance(value, str) else describe(value)
        self.add(path, f"must be one of {', '.join(allowed)} (got {shown})")
        return False

    def uuid(self, value: Any, path: str) -> bool:
        if not self.string(value, path):
            return False
        try:
            uuid.UUID(value)
        except ValueError:
            self.add(path, f"must be a UUID (got {value!r})")
            return False
        return True

    def string_map(self, value: Any, path: str, *, templates: bool = False) -> bool:
        """An object whose values are strings (optionally Handlebars templates)."""
        if not self.object(value, path):
            return False
        ok = True
        for key, item in value.items():
            item_path = key_path(path, key)
            if not str(key).strip():
                self.add(item_path, "keys must not be empty")
                ok = False
            if not self.string(item, item_path, allow_empty=True):
                ok = False
            elif templates:
                ok = self.template(item, item_path) and ok
        return ok

    # --- embedded languages ----------------------------------------------------------------------
    def jsonata(self, value: Any, path: str) -> bool:
        """A string that must compile as JSONata."""
        if not self.string(value, path, allow_empty=True):
            return False
        problem = expression_problem(value)
        if problem:
            self.add(path, problem)
            return False
        return True

    def source_field(self, value: Any, path: str) -> bool:
        """A ``field`` value: a property name, or a JSONata path when it starts with ``$``."""
        if not self.string(value, path):
            return False
        if value.startswith("$"):
            return self.jsonata(value, path)
        return True

    def enabled_flag(self, value: Any, path: str) -> bool:
        """``enabled``: a boolean, or a JSONata expression evaluated to a boolean."""
        if isinstance(value, bool):
            return True
        if isinstance(value, str):
            return self.jsonata(value, path)
        self.add(path, f"must be a boolean or a JSONata expression string, not {describe(value)}")
        return False

    def template(self, value: Any, path: str, *, available_steps: int | None = None) -> bool:
        if not self.string(value, path, allow_empty=True):
            return False
        problem = template_problem(value, available_steps=available_steps)
        if problem:
            self.add(path, f"invalid Handlebars template: {problem}")
            return False
        return True

    def each(self, items: list, path: str):
        """(index, item, item_path) for every element."""
        for index, item in enumerate(items):
            yield index, item, index_path(path, index)


MISSING = _MISSING
