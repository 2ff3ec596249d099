"""``$mapValue`` and ``$mapKey``: lookups in the integration's key/value maps, in every JSONata expression.

They are written in JSONata itself and compiled in front of an expression that names them, so both engines
behave the same (a function registered from Python cannot return *undefined* on jsonatapy) and nothing
per event is needed: the map is an argument (``$mapValue($env.salutations, Anrede, 0)``).

* ``$mapValue(map, key, default)``: the value stored under ``key`` (a number key is looked up as its
  string, as JSON object keys are strings); ``default`` (or undefined) when the map has no such key.
* ``$mapKey(map, value, default)``: the first key (in the map's order) whose value equals ``value``,
  compared as strings (ERP payloads deliver ``"1"`` where the map says ``1``); else ``default``.
"""
from __future__ import annotations

HELPER_NAMES = ("$mapValue", "$mapKey")

_DEFINITIONS = (
    '$mapValue := function($m, $k, $d) {('
    '$v := $type($m) = "object" and $exists($k) ? $lookup($m, $type($k) = "string" ? $k : $string($k));'
    '$exists($v) ? $v : $d)};'
    '$mapKey := function($m, $v, $d) {('
    '$f := $type($m) = "object" and $exists($v) ? $keys($m)[$string($lookup($m, $)) = $string($v)];'
    '$exists($f) ? $f[0] : $d)};'
)
PREFIX = "(" + _DEFINITIONS + "\n"
SUFFIX = "\n)"


def uses_helpers(text: str) -> bool:
    return any(name in text for name in HELPER_NAMES)


def with_helpers(text: str) -> tuple[str, int]:
    """``text`` with the helper definitions in front, and how far the user's text moved (for positions)."""
    if not uses_helpers(text):
        return text, 0
    return PREFIX + text + SUFFIX, len(PREFIX)
