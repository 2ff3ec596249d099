"""JSONata compile checks with messages that carry the engine's error code and position."""
from __future__ import annotations

import re

from integrations.mapping.jsonata import check_expression

_CODE = re.compile(r"\b([STDU]\d{4})\b")


def expression_problem(text: str) -> str | None:
    """None when ``text`` compiles as JSONata, else a message like "does not compile (S0201 at position 7): ..."."""
    if not text.strip():
        return "must be a JSONata expression, not empty"
    error = check_expression(text)
    if error is None:
        return None
    code = error.code
    if code is None:
        found = _CODE.search(error.message)
        code = found.group(1) if found else None
    position = error.position if error.position is not None else _reference_position(text)
    where = ", ".join(part for part in (
        code,
        f"position {position}" if position is not None else None,
    ) if part)
    detail = f" ({where})" if where else ""
    return f"invalid JSONata expression{detail}: {_plain(error.message, code)}"


def _plain(message: str, code: str | None) -> str:
    """The engine message without the prefixes and code already shown ("Parse error: S0201: ...")."""
    text = message
    for prefix in ("Parse error:", "Invalid syntax:", f"{code}:" if code else None):
        if prefix and text.strip().startswith(prefix):
            text = text.strip()[len(prefix):]
    text = text.strip()
    if code and text.startswith(f"{code}:"):
        text = text[len(code) + 1:].strip()
    return text or message


def _reference_position(text: str) -> int | None:
    """The error position from the pure-Python engine, for engines that report none (jsonatapy)."""
    try:
        import jsonata
    except ImportError:  # pragma: no cover - jsonata-python is a pinned dependency
        return None
    try:
        jsonata.Jsonata(text)
    except Exception as exc:  # the reference engine raises JException with .location
        location = getattr(exc, "location", None)
        return location if isinstance(location, int) else None
    return None
