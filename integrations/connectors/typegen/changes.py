"""Compare inferred shapes with the last committed ones: what changed, and the semver bump it needs.

Removing a field or changing its kind breaks consumers of the package (major); adding a field or a use case
does not (minor). Field paths read ``request.customer.id`` / ``response.items[].sku``.
"""
from __future__ import annotations

import re

VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-+].*)?$")


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = VERSION.match(text or "")
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def bump(version: str, kind: str) -> str:
    major, minor, _patch = parse_version(version) or (0, 0, 0)
    return f"{major + 1}.0.0" if kind == "major" else f"{major}.{minor + 1}.0"


def flatten(shape: dict, prefix: str) -> dict[str, str]:
    """Every field path of ``shape`` with its kind (unions as ``a|b``)."""
    out: dict[str, str] = {prefix: _kind(shape)}
    if shape.get("kind") == "object":
        for key, child in (shape.get("properties") or {}).items():
            out.update(flatten(child, f"{prefix}.{key}"))
    elif shape.get("kind") == "array" and shape.get("items"):
        out.update(flatten(shape["items"], f"{prefix}[]"))
    return out


def _kind(shape: dict) -> str:
    if shape.get("kind") == "union":
        return "|".join(sorted(_kind(v) for v in shape.get("variants") or []))
    return shape.get("kind", "unknown")


def detect_changes(previous: dict[str, dict] | None, current: dict[str, dict]) -> list[dict]:
    """``previous``/``current``: {slug: {"request_shape", "response_shape"}}; [] when there is no previous."""
    if not previous:
        return []
    changes: list[dict] = []
    for slug in sorted(set(previous) | set(current)):
        if slug not in current:
            changes.append({"slug": slug, "field": "*", "type": "breaking",
                            "description": f"use case {slug!r} was removed"})
            continue
        if slug not in previous:
            changes.append({"slug": slug, "field": "*", "type": "non-breaking",
                            "description": f"use case {slug!r} was added"})
            continue
        for side in ("request", "response"):
            old = flatten(previous[slug].get(f"{side}_shape") or {"kind": "unknown"}, side)
            new = flatten(current[slug].get(f"{side}_shape") or {"kind": "unknown"}, side)
            for path in sorted(set(old) | set(new)):
                if path not in new:
                    changes.append({"slug": slug, "field": path, "type": "breaking",
                                    "description": f"{path} was removed"})
                elif path not in old:
                    changes.append({"slug": slug, "field": path, "type": "non-breaking",
                                    "description": f"{path} was added ({new[path]})"})
                elif old[path] != new[path]:
                    changes.append({"slug": slug, "field": path, "type": "breaking",
                                    "description": f"{path} changed from {old[path]} to {new[path]}"})
    return changes


def suggest(previous_version: str | None, changes: list[dict]) -> tuple[str | None, str]:
    """(suggested bump or None for a first version, suggested version)."""
    if not previous_version:
        return None, "1.0.0"
    kind = "major" if any(c["type"] == "breaking" for c in changes) else "minor"
    return kind, bump(previous_version, kind)
