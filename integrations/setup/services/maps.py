"""An integration's key/value maps (``IntegrationMap[]``): validation and the rules behind it.

A map is a lookup table a mapping reads as ``$env.<key>`` or through ``$mapValue``/``$mapKey``
(docs/environment-mapping.md). Rules, checked wherever maps are written (API v1 and v2, the UI editor):
at most 50 maps; ``key`` matches the environment-key pattern, is unique, and is not also a declared
environment variable (``$env.<key>`` would be ambiguous); ``label`` 1-255 characters; ``description`` at
most 1000; ``value`` a flat object whose values are strings, numbers, booleans or null, at most 32 KB as
compact JSON.
"""
from __future__ import annotations

import json
import re
from typing import Any

MAX_MAPS = 50
MAX_VALUE_BYTES = 32 * 1024
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,127}$")
FIELDS = ("key", "label", "description", "value")


def map_issues(maps: Any, environment_keys: set[str] = frozenset()) -> list[tuple[str, str]]:
    """Every problem of ``maps`` as (path, message), paths like ``maps[2].value``; empty when valid."""
    if not isinstance(maps, list):
        return [("maps", "must be an array")]
    issues: list[tuple[str, str]] = []
    if len(maps) > MAX_MAPS:
        issues.append(("maps", f"at most {MAX_MAPS} maps (got {len(maps)})"))
    seen: dict[str, int] = {}
    for index, item in enumerate(maps):
        path = f"maps[{index}]"
        if not isinstance(item, dict):
            issues.append((path, "must be an object"))
            continue
        for name in item:
            if name not in FIELDS:
                issues.append((f"{path}.{name}", f"is not a property of a map (allowed: {', '.join(FIELDS)})"))
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            issues.append((f"{path}.key", "is required and must match ^[a-z0-9][a-z0-9_.-]{0,127}$"))
        elif key in seen:
            issues.append((f"{path}.key", f"duplicates maps[{seen[key]}].key {key!r}"))
        elif key in environment_keys:
            issues.append((f"{path}.key", f"{key!r} is already an environment variable of this integration"))
        else:
            seen[key] = index
        label = item.get("label")
        if not isinstance(label, str) or not 1 <= len(label) <= 255:
            issues.append((f"{path}.label", "is required and must be a string of 1 to 255 characters"))
        if "description" in item and (not isinstance(item["description"], str) or len(item["description"]) > 1000):
            issues.append((f"{path}.description", "must be a string of at most 1000 characters"))
        issues.extend(_value_issues(item.get("value", _MISSING), f"{path}.value"))
    return issues


_MISSING = object()


def _value_issues(value: Any, path: str) -> list[tuple[str, str]]:
    if value is _MISSING:
        return [(path, "is required")]
    if not isinstance(value, dict):
        return [(path, "must be an object of key -> value")]
    nested = [k for k, v in value.items() if v is not None and not isinstance(v, str | int | float | bool)]
    if nested:
        return [(f"{path}.{nested[0]}", "must be a string, number, boolean or null (maps are flat)")]
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_VALUE_BYTES:
        return [(path, f"is {size} bytes as JSON; at most {MAX_VALUE_BYTES} bytes")]
    return []


def clean_maps(maps: list[dict]) -> list[dict]:
    """The stored form: known fields only, in a fixed order."""
    return [{name: item[name] for name in FIELDS if name in item} for item in maps]


def environment_keys(environment_config: Any) -> set[str]:
    return {item["key"] for item in environment_config or [] if isinstance(item, dict) and isinstance(item.get("key"), str)}
