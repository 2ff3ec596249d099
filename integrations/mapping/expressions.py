"""JSONata behind one small interface, with a per-thread bounded cache of compiled expressions.

Two engines: ``jsonatapy`` (default, Rust core) and ``jsonata-python`` (pure Python, for platforms without
the wheel; it renders 16-digit numbers in ``$string`` in exponent form and its ``?:`` differs). jsonatapy
objects must stay on the thread that compiled them (another thread gets a ``BaseException`` subclass), hence
one cache per thread.

Usage: ``data = prepare(payload)`` once per event (the payload is converted for the engine once), then
``evaluate(text, data)`` per expression. The result is a plain JSON-like Python value, or ``UNDEFINED``
when the expression yields nothing (JSONata *undefined*); an explicit ``null`` comes back as ``None``.
Every evaluation is bounded (time, recursion depth, sequence length); a runaway expression raises
``ExpressionError`` (D1012 / D1011 / D2015), never hangs.
"""
from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

ENGINES = ("jsonatapy", "jsonata-python")


@dataclass
class EngineConfig:
    engine: str = "jsonatapy"
    timeout_ms: int = 2000
    max_depth: int = 200
    max_sequence: int = 1_000_000
    cache_size: int = 1024
    event_timeout_ms: int = 10_000  # all expressions of one event together (see evaluation.EventScope)


class _Undefined:
    """JSONata *undefined*: the expression produced no value (distinct from JSON null)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Any = _Undefined()


class ExpressionError(Exception):
    """A JSONata compile or evaluation error: code, message and character position (when known)."""

    def __init__(self, message: str, *, code: str | None = None, position: int | None = None, expression=""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.position = position
        self.expression = expression

    def as_dict(self) -> dict[str, Any]:
        body = {"code": self.code, "message": self.message, "position": self.position,
                "expression": self.expression}
        return {k: v for k, v in body.items() if v is not None}


_config = EngineConfig()
_local = threading.local()
_FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)

# Sentinel that marks "undefined" in a jsonatapy result (its Python API maps undefined and null to None).
_UNDEF_MARK = "\u0000jsonata-undefined\u0000"
_WRAP_PREFIX = "($__v := ("
_WRAP_SUFFIX = '); $exists($__v) ? $__v : "\\u0000jsonata-undefined\\u0000")'


def configure(**kwargs) -> None:
    """Set the engine and bounds (called once at start-up, e.g. from Django settings)."""
    global _config
    new = EngineConfig(**{**_config.__dict__, **kwargs})
    if new.engine not in ENGINES:
        raise ValueError(f"JSONATA_ENGINE must be one of {', '.join(ENGINES)}, not {new.engine!r}")
    if new.cache_size < 1:
        raise ValueError("cache_size must be at least 1")
    _config = new


def current_config() -> EngineConfig:
    return _config


def _cache() -> OrderedDict:
    cache = getattr(_local, "cache", None)
    if cache is None or getattr(_local, "config", None) is not _config:
        cache = _local.cache = OrderedDict()
        _local.config = _config
    return cache


def cache_info() -> dict[str, int]:
    """Size of this thread's compile cache (for the benchmark and diagnostics)."""
    return {"size": len(_cache()), "max_size": _config.cache_size}


def clear_cache() -> None:
    _cache().clear()


def compile_expression(text: str):
    """A compiled expression (cached per thread); raises ExpressionError when it does not compile."""
    if not isinstance(text, str):
        raise ExpressionError("expression must be a string", code="S0500", expression=str(text))
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

        bounds = {"timeout": _config.timeout_ms, "max_stack_depth": _config.max_depth,
                  "max_sequence_length": _config.max_sequence}
        try:
            # The user's text first, so syntax errors speak about what the user wrote.
            jsonatapy.compile(text, **bounds)
            return jsonatapy.compile(_WRAP_PREFIX + text + _WRAP_SUFFIX, **bounds)
        except _FATAL:
            raise
        except BaseException as exc:  # noqa: BLE001 - a Rust panic arrives as a BaseException subclass
            error = _from_engine_error(exc, text)
            if error.position is None:
                error.position = _syntax_error_position(text)
            raise error from None
    import jsonata

    try:
        compiled = jsonata.Jsonata(text)
    except Exception as exc:
        raise _from_engine_error(exc, text) from None
    compiled.set_output_convert_nulls(False)
    return compiled


def _syntax_error_position(text: str) -> int | None:
    """jsonatapy reports no positions; jsonata-python's parser locates the same syntax error."""
    try:
        import jsonata

        jsonata.Jsonata(text)
    except Exception as exc:  # noqa: BLE001 - any parser failure just means "no position"
        position = getattr(exc, "location", None)
        return position if isinstance(position, int) and position >= 0 else None
    return None


_CODE_RE = re.compile(r"\b([STDU]\d{4})\b")


def _from_engine_error(exc: BaseException, text: str) -> ExpressionError:
    if not isinstance(exc, Exception):  # e.g. pyo3's PanicException
        first_line = (str(exc).splitlines() or [""])[0]
        return ExpressionError(f"JSONata engine failure: {first_line}", expression=text)
    message = str(exc)
    code = getattr(exc, "error", None) or getattr(exc, "code", None)
    position = getattr(exc, "location", None)
    if position is None:
        position = getattr(exc, "position", None)
    if not isinstance(position, int) or position < 0:
        position = None
    if not isinstance(code, str):
        code = None
    if code is None:
        match = _CODE_RE.search(message)
        if match:
            code = match.group(1)
    if message.startswith("Parse error: "):
        message = message[len("Parse error: "):]
    if code and message.startswith(code + ": "):
        message = message[len(code) + 2:]
    if isinstance(exc, KeyError):  # jsonata-python raises KeyError for an unknown operator
        code, message = code or "S0204", f"Unknown operator: {exc.args[0] if exc.args else ''}"
    if not message:
        message = type(exc).__name__
    return ExpressionError(message, code=code, position=position, expression=text)


def check_expression(text: str) -> ExpressionError | None:
    """None when ``text`` compiles, else the error (used by configuration validation)."""
    try:
        compile_expression(text)
    except ExpressionError as exc:
        return exc
    return None


class PreparedData:
    """A value converted once for the engine, evaluated against by many expressions."""

    __slots__ = ("value", "handle")

    def __init__(self, value: Any, handle: Any):
        self.value = value
        self.handle = handle


def prepare(value: Any) -> PreparedData:
    """Convert ``value`` (a parsed payload or an item of it) once for the configured engine.

    ``UNDEFINED`` is a valid input: JSONata then sees no input at all (``$count($)`` is 0).
    """
    if value is UNDEFINED:
        return PreparedData(UNDEFINED, None)
    if _config.engine == "jsonatapy":
        import jsonatapy

        try:
            return PreparedData(value, jsonatapy.JsonataData(value))
        except _FATAL:
            raise
        except BaseException as exc:  # noqa: BLE001
            raise ExpressionError(f"data cannot be used by JSONata: {exc}", code="D0000") from None
    return PreparedData(value, value)


def evaluate(text: str, data: PreparedData | Any, bindings: dict[str, Any] | None = None,
             timeout_ms: int | None = None) -> Any:
    """Evaluate ``text`` against ``data`` (a ``PreparedData`` or a plain value); ``UNDEFINED`` if no value.

    ``timeout_ms`` shortens the configured time limit for this evaluation (the rest of an event's budget).
    """
    if not isinstance(data, PreparedData):
        data = prepare(data)
    compiled = compile_expression(text)
    if _config.engine == "jsonatapy":
        try:
            if data.value is UNDEFINED:
                text_result = compiled.evaluate_json_or_none(None, bindings, timeout=timeout_ms)
                result = UNDEFINED if text_result is None else json.loads(text_result)
            elif timeout_ms is None:
                result = compiled.evaluate_with_data(data.handle, bindings)
            else:
                result = compiled.evaluate_with_data(data.handle, bindings, timeout=timeout_ms)
        except _FATAL:
            raise
        except BaseException as exc:  # noqa: BLE001 - a Rust panic arrives as a BaseException subclass
            raise _from_engine_error(exc, text) from None
        if result == _UNDEF_MARK:
            return UNDEFINED
        return result
    return _evaluate_python(compiled, text, None if data.value is UNDEFINED else data.value, bindings, timeout_ms)


def _evaluate_python(compiled, text: str, value: Any, bindings: dict[str, Any] | None,
                     timeout_ms: int | None = None) -> Any:
    from jsonata import utils

    # jsonata-python starts its runtime clock at compile time: re-arm the bounds for each evaluation.
    compiled.environment.set_runtime_bounds(timeout_ms or _config.timeout_ms, _config.max_depth)
    try:
        result = compiled.evaluate(value, bindings)
    except RecursionError:
        raise ExpressionError("Stack overflow error: check for non-terminating recursive function",
                              code="D1011", expression=text) from None
    except Exception as exc:
        raise _from_engine_error(exc, text) from None
    if result is None:
        return UNDEFINED
    if isinstance(result, list) and _config.max_sequence and len(result) > _config.max_sequence:
        raise ExpressionError("Sequence length exceeds the configured maximum", code="D2015", expression=text)
    try:  # both conversions recurse: a result built deep without recursion (``$reduce``) would escape
        return _plain(utils.Utils.convert_nulls(result))
    except RecursionError:
        raise ExpressionError("The result is nested deeper than Python can convert", expression=text) from None


def _plain(value: Any) -> Any:
    """jsonata-python returns list subclasses carrying sequence flags; hand back plain JSON values."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
