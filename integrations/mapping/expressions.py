"""JSONata behind one small interface, with a per-thread bounded cache of compiled expressions.

Two engines: ``jsonatapy`` (default, Rust core) and ``jsonata-python`` (pure Python). jsonatapy objects
must stay on the thread that compiled them, hence one cache per thread.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

ENGINES = ("jsonatapy", "jsonata-python")


@dataclass
class EngineConfig:
    engine: str = "jsonatapy"
    timeout_ms: int = 2000
    max_depth: int = 200
    max_sequence: int = 1_000_000
    cache_size: int = 1024


class ExpressionError(Exception):
    """A JSONata compile or evaluation error: code, message and character position (when known)."""

    def __init__(self, message: str, *, code: str | None = None, position: int | None = None, expression=""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.position = position
        self.expression = expression

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in {"code": self.code, "message": self.message, "position": self.position}.items()
                if v is not None}


@dataclass
class _ThreadCache:
    entries: OrderedDict = field(default_factory=OrderedDict)


_config = EngineConfig()
_local = threading.local()


def configure(**kwargs) -> None:
    """Set the engine and bounds (called once at start-up, e.g. from Django settings)."""
    global _config
    new = EngineConfig(**{**_config.__dict__, **kwargs})
    if new.engine not in ENGINES:
        raise ValueError(f"JSONATA_ENGINE must be one of {', '.join(ENGINES)}, not {new.engine!r}")
    _config = new


def current_config() -> EngineConfig:
    return _config


def _cache() -> OrderedDict:
    cache = getattr(_local, "cache", None)
    if cache is None or getattr(_local, "engine", None) != _config.engine:
        cache = _local.cache = OrderedDict()
        _local.engine = _config.engine
    return cache


def compile_expression(text: str):
    """A compiled expression (cached); raises ExpressionError when it does not compile."""
    cache = _cache()
    compiled = cache.get(text)
    if compiled is not None:
        cache.move_to_end(text)
        return compiled
    compiled = _compile(text)
    cache[text] = compiled
    if len(cache) > _config.cache_size:
        cache.popitem(last=False)
    return compiled


def _compile(text: str):
    if _config.engine == "jsonatapy":
        import jsonatapy

        try:
            return jsonatapy.compile(
                text,
                timeout=_config.timeout_ms,
                max_stack_depth=_config.max_depth,
                max_sequence_length=_config.max_sequence,
            )
        except ValueError as exc:
            raise _from_engine_error(exc, text) from None
    import jsonata

    try:
        return jsonata.Jsonata(text)
    except Exception as exc:
        raise _from_engine_error(exc, text) from None


def _from_engine_error(exc: BaseException, text: str) -> ExpressionError:
    message = str(exc)
    code = getattr(exc, "code", None)
    position = getattr(exc, "position", None)
    if code is None and message[:1] in "STDU" and message[1:5].isdigit():
        code = message[:5]
    return ExpressionError(message, code=code, position=position, expression=text)


def check_expression(text: str) -> ExpressionError | None:
    """None when ``text`` compiles, else the error (used by configuration validation)."""
    try:
        compile_expression(text)
    except ExpressionError as exc:
        return exc
    return None
