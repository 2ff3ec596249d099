"""Handlebars rendering for file-proxy auth values and steps (docs/file-proxy.md, templates). Pure: no Django.

Why our own: no maintained Python Handlebars exists (pybars3 has been dormant since 2019) and the steps
need a small, well-defined subset. Supported:

- ``{{path.to.value}}`` with numeric segments (``{{steps.0.body.fileId}}``), ``[segment]`` literals,
  ``this``, ``../`` and ``@index``/``@key``/``@first``/``@last``/``@root``; ``{{{triple}}}`` is the same.
- Blocks ``{{#if}}``/``{{#unless}}``/``{{#each}}``/``{{#with}}`` with ``{{else}}``; comments ``{{! }}`` and
  ``{{!-- --}}``; whitespace control ``{{~ ~}}``.
- Helpers ``json`` (JSON.stringify), ``urlencode`` (encodeURIComponent) and ``base64`` (of the
  concatenated arguments, for Basic auth); arguments are paths or "string"/number literals.
- ``\\{{env.key}}`` (the 0.46.0 escaped form) is replaced by the environment value passed in ``env``;
  other ``\\{{...}}`` render literally as ``{{...}}`` like Handlebars does. Substituting while rendering is
  equivalent to the upstream second pass but cannot be fooled by ``{{env.x}}`` text inside ERP data.
- The later single-pass form simply reads ``env``/``auth_token`` from the context.

Decision: no HTML escaping. Everything we render is a URL, a header or a JSON/form body, where
``&amp;``/``&#x3D;`` would corrupt values (base64 padding, query strings). Use ``urlencode`` inside URLs
and ``json`` inside JSON bodies.
"""
from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

__all__ = ["TemplateError", "env_references", "has_residual_braces", "render", "to_text"]


class TemplateError(Exception):
    """The template is malformed, or refers to an environment value that is not set."""


# ---------------------------------------------------------------- parsing

@dataclass
class _Text:
    text: str


@dataclass
class _Escaped:
    """``\\{{inner}}``: an env reference or literal text."""
    inner: str


@dataclass
class _Expr:
    name: str
    args: list[Any]


@dataclass
class _Block:
    name: str
    args: list[Any]
    body: list = field(default_factory=list)
    inverse: list = field(default_factory=list)
    in_inverse: bool = False


@dataclass(frozen=True)
class _Path:
    parts: tuple[str, ...]
    depth: int = 0  # number of ../
    data: bool = False  # @index etc.


_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|(\S+)')
_ENV_REF = re.compile(r"^\s*env\.([A-Za-z0-9_.\-]+)\s*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _parse_arg(token: str) -> Any:
    if token in ("true", "false"):
        return token == "true"
    if token in ("null", "undefined"):
        return None
    if _NUMBER.match(token):
        return float(token) if "." in token else int(token)
    return _parse_path(token)


def _parse_path(token: str) -> _Path:
    depth = 0
    while token.startswith("../"):
        depth += 1
        token = token[3:]
    data = token.startswith("@")
    if data:
        token = token[1:]
    if token in ("this", ".", ""):
        return _Path((), depth, data)
    if token.startswith("this.") or token.startswith("this/"):
        token = token[5:]
    parts = [m.group(1) if m.group(1) is not None else m.group(2)
             for m in re.finditer(r"\[([^\]]*)\]|([^./\[\]]+)", token)]
    return _Path(tuple(parts), depth, data)


def _split_args(inner: str) -> list[Any]:
    out: list[Any] = []
    for match in _ARG.finditer(inner):
        if match.group(3) is not None:
            out.append(_parse_arg(match.group(3)))
        else:
            literal = match.group(1) if match.group(1) is not None else match.group(2)
            out.append(re.sub(r"\\(.)", r"\1", literal))
    return out


def _tokenize(text: str) -> list:
    """Text, escaped-mustache and tag tokens, with ``~`` whitespace control applied."""
    tokens: list = []
    pos = 0
    strip_next = False
    while True:
        opening = text.find("{{", pos)
        if opening == -1:
            chunk = text[pos:]
            tokens.append(_Text(chunk.lstrip() if strip_next else chunk))
            break
        chunk = text[pos:opening]
        backslashes = len(chunk) - len(chunk.rstrip("\\"))
        if backslashes:
            chunk = chunk[:-1]  # \{{ escapes the tag; \\{{ is one literal backslash, then a real tag
        if strip_next:
            chunk = chunk.lstrip()
        if backslashes % 2 == 1:
            close = text.find("}}", opening + 2)
            if close == -1:
                raise TemplateError(f"'\\{{{{' at offset {opening - 1} is never closed with '}}}}'")
            tokens.append(_Text(chunk))
            tokens.append(_Escaped(text[opening + 2:close]))
            strip_next = False
            pos = close + 2
            continue
        if text.startswith("{{!--", opening) or text.startswith("{{~!--", opening):
            close = text.find("--}}", opening + 4)
            close = close if close != -1 else text.find("--~}}", opening + 4)
            end = text.find("}}", close + 2) if close != -1 else -1
            if close == -1:
                raise TemplateError(f"comment at offset {opening} is never closed")
            if text[opening + 2] == "~":
                chunk = chunk.rstrip()
            tokens.append(_Text(chunk))
            strip_next = text[end - 1] == "~"
            pos = end + 2
            continue
        triple = text.startswith("{{{", opening)
        closer = "}}}" if triple else "}}"
        start = opening + len(closer)
        close = text.find(closer, start)
        if close == -1:
            raise TemplateError(f"'{text[opening:start]}' at offset {opening} is never closed with '{closer}'")
        inner = text[start:close]
        if inner.startswith("~"):
            chunk = chunk.rstrip()
        strip_next = inner.endswith("~")
        tokens.append(_Text(chunk))
        tokens.append(("tag", inner.strip("~").strip(), opening))
        pos = close + len(closer)
    return tokens


def _parse(text: str) -> list:
    root: list = []
    stack: list[_Block] = []

    def target() -> list:
        if not stack:
            return root
        block = stack[-1]
        return block.inverse if block.in_inverse else block.body

    for token in _tokenize(text):
        if not isinstance(token, tuple):
            if not (isinstance(token, _Text) and not token.text):
                target().append(token)
            continue
        _, inner, offset = token
        if not inner:
            raise TemplateError(f"empty expression '{{{{}}}}' at offset {offset}")
        if inner.startswith("!"):
            continue
        if inner.startswith("#"):
            parts = _split_args(inner[1:])
            if not parts or not isinstance(parts[0], _Path) or len(parts[0].parts) != 1:
                raise TemplateError(f"block at offset {offset} has no helper name")
            name = parts[0].parts[0]
            if name not in _BLOCKS:
                raise TemplateError(f"unknown block helper '#{name}' at offset {offset}")
            block = _Block(name, parts[1:])
            target().append(block)
            stack.append(block)
        elif inner.startswith("/"):
            name = inner[1:].strip()
            if not stack or stack[-1].name != name:
                raise TemplateError(f"'{{{{/{name}}}}}' at offset {offset} does not close an open block")
            stack.pop()
        elif inner == "else" or inner.startswith("^") and not inner[1:].strip():
            if not stack or stack[-1].in_inverse:
                raise TemplateError(f"'{{{{else}}}}' at offset {offset} outside a block")
            stack[-1].in_inverse = True
        else:
            args = _split_args(inner)
            head = args[0]
            if isinstance(head, _Path) and len(head.parts) == 1 and not head.depth and head.parts[0] in _HELPERS:
                target().append(_Expr(head.parts[0], args[1:]))
            elif len(args) == 1:
                target().append(_Expr("", args))
            else:
                raise TemplateError(f"unknown helper in '{{{{{inner}}}}}' at offset {offset}")
    if stack:
        raise TemplateError(f"block '{{{{#{stack[-1].name}}}}}' is never closed")
    return root


# ---------------------------------------------------------------- rendering

def to_text(value: Any) -> str:
    """A value as JavaScript's ``String(value)`` renders it (what Handlebars outputs)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, list):
        return ",".join(to_text(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _truthy(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "")


@dataclass
class _Frame:
    this: Any
    data: dict


def _lookup(value: Any, key: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(key)
    if isinstance(value, list | tuple):
        if key == "length":
            return len(value)
        if key.isdigit() and int(key) < len(value):
            return value[int(key)]
        return None
    return None


def _resolve(arg: Any, frames: list[_Frame]) -> Any:
    if not isinstance(arg, _Path):
        return arg
    frame = frames[max(0, len(frames) - 1 - arg.depth)]
    if arg.data:
        if not arg.parts:
            return None
        head, rest = arg.parts[0], arg.parts[1:]
        value = frames[0].this if head == "root" else frame.data.get(head)
    else:
        value, rest = frame.this, arg.parts
    for part in rest:
        value = _lookup(value, part)
        if value is None:
            return None
    return value


def _helper_json(values: list[Any]) -> str:
    return json.dumps(values[0] if values else None, ensure_ascii=False, separators=(",", ":"))


def _helper_urlencode(values: list[Any]) -> str:
    return quote("".join(to_text(v) for v in values), safe="-_.!~*'()")


def _helper_base64(values: list[Any]) -> str:
    return base64.b64encode("".join(to_text(v) for v in values).encode()).decode()


_HELPERS = {"json": _helper_json, "urlencode": _helper_urlencode, "base64": _helper_base64}
_BLOCKS = ("if", "unless", "each", "with")


class _Renderer:
    def __init__(self, env: Mapping[str, str] | None):
        self.env = env

    def nodes(self, nodes: list, frames: list[_Frame], out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, _Text):
                out.append(node.text)
            elif isinstance(node, _Escaped):
                out.append(self.escaped(node.inner))
            elif isinstance(node, _Expr):
                values = [_resolve(a, frames) for a in node.args]
                out.append(_HELPERS[node.name](values) if node.name else to_text(values[0]))
            else:
                self.block(node, frames, out)

    def escaped(self, inner: str) -> str:
        match = _ENV_REF.match(inner)
        if match is None or self.env is None:
            return "{{" + inner + "}}"
        key = match.group(1)
        if key not in self.env:
            raise TemplateError(f"environment value '{key}' is not set for this integration")
        return to_text(self.env[key])

    def block(self, block: _Block, frames: list[_Frame], out: list[str]) -> None:
        if len(block.args) != 1:
            raise TemplateError(f"'#{block.name}' takes exactly one argument")
        value = _resolve(block.args[0], frames)
        data = frames[-1].data
        if block.name in ("if", "unless"):
            chosen = block.body if _truthy(value) == (block.name == "if") else block.inverse
            self.nodes(chosen, frames, out)
        elif block.name == "with":
            if _truthy(value):
                self.nodes(block.body, [*frames, _Frame(value, data)], out)
            else:
                self.nodes(block.inverse, frames, out)
        else:  # each
            items = (list(value.items()) if isinstance(value, Mapping)
                     else list(enumerate(value)) if isinstance(value, list | tuple) else [])
            if not items:
                self.nodes(block.inverse, frames, out)
            for position, (key, item) in enumerate(items):
                item_data = {**data, "index": position, "key": key, "first": position == 0,
                             "last": position == len(items) - 1}
                self.nodes(block.body, [*frames, _Frame(item, item_data)], out)


def render(template: str, context: Mapping[str, Any], *, env: Mapping[str, str] | None = None) -> str:
    """Render ``template`` against ``context``. ``env`` feeds the escaped ``\\{{env.key}}`` form (a missing
    key is a ``TemplateError``); without ``env`` such references stay literal ``{{env.key}}``."""
    if not isinstance(template, str):
        raise TemplateError("template must be a string")
    out: list[str] = []
    _Renderer(env).nodes(_parse(template), [_Frame(context, {})], out)
    return "".join(out)


_ENV_REFERENCE = re.compile(r"\{\{[{~]?\s*(?:\.\./)*env\.([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)")


def env_references(template: str) -> set[str]:
    """The ``env`` keys ``template`` reads (``{{env.key}}`` and ``\\{{env.key}}`` alike), so callers can
    refuse a render whose key is absent instead of silently producing an empty value."""
    return set(_ENV_REFERENCE.findall(template)) if isinstance(template, str) else set()


def has_residual_braces(text: str) -> bool:
    """Whether rendered text still holds ``{{`` (an escaped or unrendered template): terminal for uploads."""
    return "{{" in text
