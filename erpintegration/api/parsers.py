"""The API's JSON parser: DRF's, plus a nesting bound so a pathological body is a 400, not a 500.

``json.loads`` raises ``RecursionError`` on deeply nested input (an uncaught 500), and data nested
just below Python's recursion limit would still break later recursive code (serializers, the
JSONata engine, rendering). Bodies nested deeper than ``MAX_JSON_DEPTH`` are therefore refused.
"""
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


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
        if nesting_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(f"JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels)")
        return data
