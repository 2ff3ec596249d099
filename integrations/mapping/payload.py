"""Event payloads (JSON text, a JSON object, or XML text) to the data the mapping evaluates."""
from __future__ import annotations

import json
import math
import re
from typing import Any

from integrations.mapping.results import MappingError
from integrations.mapping.xml import XmlPayloadError, xml_to_data

FORMATS = ("json", "xml")
MAX_DEPTH = 256  # as for XML: deeper data would break recursive consumers (copying, JSON, the store)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(value: Any) -> bool:
    """Whether a string or key in ``value`` holds an unpaired UTF-16 surrogate (iterative walk)."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if _LONE_SURROGATE.search(current):
                return True
        elif isinstance(current, dict):
            if any(_LONE_SURROGATE.search(key) for key in current):
                return True
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests dicts/lists more than ``limit`` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        children = current.values() if isinstance(current, dict) else current if isinstance(current, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth >= limit:
                    return True
                stack.append((child, depth + 1))
    return False


def parse_payload(payload: str | dict, format: str = "json") -> Any:  # noqa: A002 - the contract's name
    """The parsed payload; raises ``MappingError(code="INVALID_PAYLOAD")`` naming what is wrong.

    ``json``: a JSON text or an already-parsed object. ``xml``: XML text only (an object is refused).
    """
    if format not in FORMATS:
        raise MappingError("INVALID_PAYLOAD", f"format must be one of {', '.join(FORMATS)}, not {format!r}",
                           {"path": "format"})
    if format == "xml":
        if not isinstance(payload, str | bytes):
            raise MappingError("INVALID_PAYLOAD", "An XML payload must be sent as a string",
                               {"path": "payload"})
        try:
            return xml_to_data(payload)
        except XmlPayloadError as exc:
            raise MappingError("INVALID_PAYLOAD", str(exc), {"path": "payload"}) from None
    if isinstance(payload, dict | list):
        return payload
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="replace")
    if not isinstance(payload, str):
        raise MappingError("INVALID_PAYLOAD", "payload must be a JSON string or an object", {"path": "payload"})
    try:
        data = json.loads(payload, parse_constant=_reject_constant, parse_float=_finite_float,
                          parse_int=_float_range_int)
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity
        raise MappingError("INVALID_PAYLOAD", f"payload is not valid JSON: {exc}", {"path": "payload"}) from None
    except RecursionError:
        data = None
        too_deep = True
    else:  # nesting needs an opening bracket per level: a text with few of them needs no walk
        too_deep = _brackets(payload) > MAX_DEPTH and nested_deeper_than(data, MAX_DEPTH)
    if too_deep:
        raise MappingError("INVALID_PAYLOAD", f"payload is nested too deeply (more than {MAX_DEPTH} levels)",
                           {"path": "payload"})
    # "\udc00" alone parses to a str with no UTF-8 encoding: it could be neither mapped nor stored
    if _SURROGATE_ESCAPE.search(payload) and has_lone_surrogate(data):
        raise MappingError("INVALID_PAYLOAD", "payload contains an unpaired surrogate escape (like \\udc00), "
                           "which is not valid Unicode", {"path": "payload"})
    return data


def _brackets(text: str) -> int:
    """Opening brackets in ``text`` (those inside strings too): an upper bound of the nesting depth."""
    return text.count("{") + text.count("[")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _float_range_int(text: str) -> int:
    """An integer JSONata (whose numbers are doubles) cannot represent at all is an error: ``float()`` of it
    would raise ``OverflowError`` in every consumer (4001 digits crashed processing five times)."""
    value = int(text)
    if len(text) > 308:
        try:
            float(value)
        except OverflowError:
            raise ValueError(f"number {text[:20]}... ({len(text)} digits) is out of range") from None
    return value


def _finite_float(text: str) -> float:
    """A number beyond the float range (``1e400``) is an error, not infinity (which is not JSON)."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text} is out of range")
    return value
