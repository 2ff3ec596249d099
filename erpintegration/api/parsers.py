"""The API's JSON parser: DRF's, plus bounds so a pathological body is a 400, not a 500.

``json.loads`` raises ``RecursionError`` on deeply nested input (an uncaught 500), and data nested
just below Python's recursion limit would still break later recursive code (serializers, the
JSONata engine, rendering). Bodies nested deeper than ``MAX_JSON_DEPTH`` are therefore refused.
Numbers out of the float range (``1e400``) would parse as infinity, which no JSON column or response
can hold: they are refused like ``NaN``.
"""
import codecs
import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 256


def nesting_depth_exceeds(data, limit: int) -> bool:
    """Whether ``data`` nests dicts/lists deeper than ``limit`` (iterative: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


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
        if nesting_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(f"JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels)")
        return data
