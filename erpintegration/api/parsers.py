"""The API's JSON parser: DRF's, plus bounds so a pathological body is a 400, not a 500.

``json.loads`` raises ``RecursionError`` on deeply nested input (an uncaught 500), and data nested
just below Python's recursion limit would still break later recursive code (serializers, the
JSONata engine, rendering). Bodies nested deeper than ``MAX_JSON_DEPTH`` are therefore refused, and so
are strings containing U+0000, which PostgreSQL cannot store (an INSERT error would be a 500).
Numbers out of the float range (``1e400``) would parse as infinity, which no JSON column or response
can hold: they are refused like ``NaN``.
"""
import codecs
import json
import math
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 256
# U+0000 (PostgreSQL cannot store it) and unpaired surrogates (``"\\udc00"``: no UTF-8 encoding exists,
# so rendering or storing the string fails)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def body_problem(data, max_depth: int) -> str | None:
    """What makes a parsed body unstorable, naming the place; ``None`` when it is fine (iterative walk).

    Too deep nesting, and U+0000 or an unpaired surrogate in a string or key (PostgreSQL's jsonb and
    text columns cannot hold the first; the second has no UTF-8 encoding at all). Paths are linked ``(parent, key)`` pairs, rendered only for the error.
    """
    stack = [(data, 1, None)]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return f"{_render(where)}: strings must not contain \\u0000 or unpaired surrogates"
            continue
        if isinstance(value, dict):
            for key, child in value.items():
                if _UNSTORABLE.search(key):
                    return f"{_render(where)}: keys must not contain \\u0000 or unpaired surrogates"
                if isinstance(child, dict | list | str):
                    stack.append((child, depth + 1, (where, key)))
        elif isinstance(value, list):
            stack.extend((child, depth + 1, (where, index)) for index, child in enumerate(value)
                         if isinstance(child, dict | list | str))
        else:
            continue
        if depth > max_depth:
            return f"JSON is nested too deeply (more than {max_depth} levels)"
    return None


def _render(where) -> str:
    parts = []
    while where is not None:
        where, key = where
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).lstrip(".") or "body"


def finite_float(text: str) -> float:
    """``parse_float`` hook: a number too large for a float is an error, not infinity."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text} is out of range")
    return value


def reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=reject_constant,
                             parse_float=finite_float)
        except RecursionError:
            raise ParseError(f"JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN, out-of-range numbers
            raise ParseError(f"JSON parse error - {exc}") from None
        problem = body_problem(data, MAX_JSON_DEPTH)
        if problem:
            raise ParseError(problem)
        return data
