"""Structural checks for the Handlebars templates of file-proxy auth and steps.

Rendering lives in ``erpintegration.lib.templating``; here we only catch what would certainly fail or render
garbage: a ``{{`` never closed, unclosed or mismatched block helpers, empty tags, and references to
``steps.N`` that have not run yet.
"""
from __future__ import annotations

import re

_STEP_REF = re.compile(r"\bsteps\.\[?(\d+)")


def template_problem(text: str, *, available_steps: int | None = None) -> str | None:
    """None when ``text`` is structurally sound, else the first problem found (offsets are 0-based)."""
    blocks: list[tuple[str, int]] = []
    pos = 0
    while True:
        opening = text.find("{{", pos)  # a lone "}}" is literal text (JSON bodies end with one)
        if opening == -1:
            break
        if text.startswith("{{!--", opening):
            close = text.find("--}}", opening + 5)
            if close == -1:
                return f"comment '{{{{!--' at offset {opening} is never closed with '--}}}}'"
            pos = close + 4
            continue
        triple = text.startswith("{{{", opening)
        closer = "}}}" if triple else "}}"
        start = opening + len(closer)
        close = text.find(closer, start)
        nested = text.find("{{", start)
        if close == -1 or (nested != -1 and nested < close):
            return f"'{'{{{' if triple else '{{'}' at offset {opening} is never closed with '{closer}'"
        inner = text[start:close].strip()
        pos = close + len(closer)
        if inner.startswith("~"):
            inner = inner[1:].strip()
        if inner.endswith("~"):
            inner = inner[:-1].strip()
        if not inner:
            return f"empty expression '{{{{}}}}' at offset {opening}"
        escaped = opening > 0 and text[opening - 1] == "\\"
        if escaped or inner.startswith("!"):
            continue
        if inner.startswith("#"):
            name = inner[1:].split(None, 1)[0] if inner[1:].strip() else ""
            if not name:
                return f"block helper at offset {opening} has no name"
            blocks.append((name, opening))
        elif inner.startswith("/"):
            name = inner[1:].strip()
            if not blocks:
                return f"'{{{{/{name}}}}}' at offset {opening} closes a block that was never opened"
            open_name, open_at = blocks.pop()
            if open_name != name:
                return (f"'{{{{/{name}}}}}' at offset {opening} does not match "
                        f"'{{{{#{open_name}}}}}' opened at offset {open_at}")
        if available_steps is not None:
            for match in _STEP_REF.finditer(inner):
                index = int(match.group(1))
                if index >= available_steps:
                    earlier = (f"only steps.0..steps.{available_steps - 1} have run"
                               if available_steps else "no step has run yet")
                    return f"refers to steps.{index} at offset {opening}, but {earlier} at this point"
    if blocks:
        name, at = blocks[-1]
        return f"block '{{{{#{name}}}}}' opened at offset {at} is never closed with '{{{{/{name}}}}}'"
    return None
