"""JSONata behind one small interface, with a bounded cache of compiled expressions.

Two engines: ``jsonatapy`` (default, Rust core) and ``jsonata-python`` (pure Python, for platforms without
the wheel; it renders 16-digit numbers in ``$string`` in exponent form and its ``?:`` differs).

Usage: ``data = prepare(payload)`` once per event (the payload is converted for the engine once), then
``evaluate(text, data)`` per expression. The result is a plain JSON-like Python value, or ``UNDEFINED``
when the expression yields nothing (JSONata *undefined*); an explicit ``null`` comes back as ``None``.
Every evaluation is bounded (time, recursion depth, sequence length); a runaway expression raises
``ExpressionError`` (D1012 / D1011 / D2015), never hangs.

Threads (jsonatapy): its objects are PyO3 "unsendable": usable only on the thread that made them, and
one freed on another thread is leaked with a "dropped on another thread" error. Each thread therefore
keeps its own compile cache and converted payloads (``_Owner``), freed on that thread when it finishes;
callers only ever get plain values, stand-ins, tokens and ``ExpressionError``s without tracebacks, so no
kept result, exception or reference cycle can carry a jsonatapy object to another thread. And the
extension's module state belongs to the thread that imports it (once that thread has finished, the next
conversion segfaults), so it is imported on the main thread or on a daemon thread that never finishes.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import threading
import traceback
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from integrations.mapping import isolation
from integrations.mapping.helpers import with_helpers

ENGINES = ("jsonatapy", "jsonata-python")


@dataclass
class EngineConfig:
    engine: str = "jsonatapy"
    timeout_ms: int = 2000
    max_depth: int = 200
    max_sequence: int = 1_000_000
    cache_size: int = 1024
    event_timeout_ms: int = 10_000  # all expressions of one event together (see evaluation.EventScope)
    # > 0: evaluate in supervised child processes with this address-space budget (see isolation.py)
    memory_limit_mb: int = 0
    max_output_bytes: int = 10 * 2**20  # serialized result of one evaluation (isolated evaluation only)
    processes: int = 2  # children per serving process (isolated evaluation only)
    max_value_bytes: int = 2**20  # one mapped value (limits.py)
    max_event_bytes: int = 10 * 2**20  # all mapped values of one event together


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
    if new.memory_limit_mb < 0 or new.max_output_bytes < 1 or new.processes < 1:
        raise ValueError("memory_limit_mb must be >= 0, max_output_bytes and processes >= 1")
    _config = new


def current_config() -> EngineConfig:
    return _config


# --- Who may touch jsonatapy objects ----------------------------------------------------------------------


class CompiledExpression:
    """What ``compile_expression`` returns for jsonatapy: a plain stand-in for the compiled object, which
    stays in its thread's cache (the same stand-in while the expression is cached)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"


class _Owner:
    """One thread's jsonatapy objects: its compile cache and its converted payloads (by token).

    ``close`` frees them on that thread when it finishes (see ``_ThreadEnd``); the owner object itself may
    live on (a kept exception's frames can hold it) but then holds nothing jsonatapy.
    """

    def __init__(self):
        self.pid = os.getpid()
        self.closed = False
        self.config = _config
        self.cache: OrderedDict[str, tuple[CompiledExpression, Any]] = OrderedDict()
        self.handles: dict[int, Any] = {}  # token -> jsonatapy.JsonataData of a live PreparedData
        self.released: list[int] = []  # tokens of PreparedData that died (maybe on another thread)

    def run(self, fn, *args):
        """``fn(self, *args)``; an exception leaves without the frames that hold jsonatapy objects."""
        while self.released:  # list.pop is atomic: a PreparedData may die on another thread meanwhile
            self.handles.pop(self.released.pop(), None)
        if self.config is not _config:
            self.cache = OrderedDict()
            self.config = _config
        try:
            return fn(self, *args)
        except BaseException as exc:  # noqa: BLE001 - re-raised, only without engine frames
            raise _detached(exc) from None

    def close(self) -> None:
        """Free everything jsonatapy now; called on the owning thread as it finishes."""
        cache, handles = self.cache, self.handles
        self.cache, self.handles, self.released, self.closed = OrderedDict(), {}, [], True
        if os.getpid() != self.pid:
            # A fork's child clears the states of the parent's other threads from its own thread: keep
            # their objects forever rather than drop them on a foreign thread.
            _orphans.append((cache, handles))

    def __del__(self):
        if not self.closed and os.getpid() != self.pid:
            _orphans.append((self.cache, self.handles))


class _ThreadEnd:
    """Held only by the thread-local storage, so freed when its thread finishes, on that thread (CPython
    clears a finishing thread's state on the thread itself): then it closes the thread's owner."""

    __slots__ = ("owner",)

    def __init__(self, owner: _Owner):
        self.owner = owner

    def __del__(self):
        self.owner.close()


def _detached(exc: BaseException) -> BaseException:
    """``exc`` without traceback and chained exceptions: their frames hold jsonatapy objects, and a kept
    exception (or a reference cycle through one) would drop them wherever it is finally freed."""
    if not isinstance(exc, ExpressionError) and exc.__traceback__ is not None:
        exc.add_note("".join(traceback.format_tb(exc.__traceback__)))  # a bug: keep where, as text
    exc.__traceback__ = None
    exc.__context__ = None
    exc.__cause__ = None
    return exc


_local = threading.local()  # .owner and .end (jsonatapy), .cache and .config (jsonata-python)
_orphans: list[Any] = []
_import_lock = threading.Lock()
_imported = False


def _owner() -> _Owner:
    owner = getattr(_local, "owner", None)
    if owner is None:
        _import_on_lasting_thread()
        owner = _local.owner = _Owner()
        _local.end = _ThreadEnd(owner)
    return owner


def _import_on_lasting_thread() -> None:
    """Import jsonatapy on a thread that never finishes.

    The extension's module state belongs to the importing thread: once that thread has finished, the next
    ``JsonataData`` conversion on any thread segfaults. The main thread lives as long as the process; from
    any other thread (a request thread may be the first to evaluate) a daemon thread imports and then waits.
    """
    global _imported
    if _imported:
        return
    with _import_lock:
        if _imported:
            return
        if threading.current_thread() is threading.main_thread():
            import jsonatapy  # noqa: F401
        else:
            imported = threading.Event()

            def import_and_stay():
                try:
                    import jsonatapy  # noqa: F401
                finally:
                    imported.set()
                threading.Event().wait()

            threading.Thread(target=import_and_stay, name="jsonatapy-import", daemon=True).start()
            imported.wait()
        _imported = True


# --- Compile cache ---------------------------------------------------------------------------------------


def _python_cache() -> OrderedDict:
    cache = getattr(_local, "cache", None)
    if cache is None or getattr(_local, "config", None) is not _config:
        cache = _local.cache = OrderedDict()
        _local.config = _config
    return cache


def _cache() -> OrderedDict:
    """The compile cache calls from this thread use (keys are expression texts; for tests only)."""
    if _config.engine == "jsonatapy":
        return _owner().run(lambda owner: owner.cache)
    return _python_cache()


def cache_info() -> dict[str, int]:
    """Size of the compile cache this thread uses (for the benchmark and diagnostics)."""
    if _config.engine == "jsonatapy":
        size = _owner().run(lambda owner: len(owner.cache))
    else:
        size = len(_python_cache())
    return {"size": size, "max_size": _config.cache_size}


def clear_cache() -> None:
    if _config.engine == "jsonatapy":
        _owner().run(lambda owner: owner.cache.clear())
    else:
        _python_cache().clear()


def _lru(cache: OrderedDict, text: str, build):
    entry = cache.get(text)
    if entry is not None:
        cache.move_to_end(text)
        return entry
    entry = cache[text] = build(text)
    if len(cache) > _config.cache_size:
        cache.popitem(last=False)
    return entry


def compile_expression(text: str):
    """A compiled expression (cached); raises ExpressionError when it does not compile.

    With jsonatapy this is a ``CompiledExpression`` stand-in: the engine object never leaves its thread.
    """
    if not isinstance(text, str):
        raise ExpressionError("expression must be a string", code="S0500", expression=str(text))
    if _config.engine == "jsonatapy":
        return _owner().run(_stand_in_on, text)
    return _lru(_python_cache(), text, _compile_python)


def _compiled_on(owner: _Owner, text: str):
    return _lru(owner.cache, text, lambda t: (CompiledExpression(t), _compile_jsonatapy(t)))[1]


def _stand_in_on(owner: _Owner, text: str) -> CompiledExpression:
    _compiled_on(owner, text)
    return owner.cache[text][0]


def _compile_jsonatapy(text: str):
    import jsonatapy

    bounds = {"timeout": _config.timeout_ms, "max_stack_depth": _config.max_depth,
              "max_sequence_length": _config.max_sequence}
    try:
        # The user's text first, so syntax errors speak about what the user wrote.
        jsonatapy.compile(text, **bounds)
        return jsonatapy.compile(_WRAP_PREFIX + with_helpers(text)[0] + _WRAP_SUFFIX, **bounds)
    except _FATAL:
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic arrives as a BaseException subclass
        error = _from_engine_error(exc, text)
        if error.position is None:
            error.position = _syntax_error_position(text)
        raise error from None


def _compile_python(text: str):
    import jsonata

    wrapped, offset = with_helpers(text)
    try:
        if offset:
            jsonata.Jsonata(text)  # syntax errors speak about what the user wrote
        compiled = jsonata.Jsonata(wrapped)
    except Exception as exc:
        raise _from_engine_error(exc, text) from None
    compiled.set_output_convert_nulls(False)
    compiled.helper_offset = offset  # evaluation errors report positions in the wrapped text
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


_tokens = itertools.count(1)


class PreparedData:
    """A value converted once for the engine, evaluated against by many expressions.

    With jsonatapy ``handle`` is a token for the converted value, which the preparing thread keeps until
    this object dies (wherever that happens: that thread drops it on its next call, or when it finishes).
    Another thread evaluating against it converts ``value`` again.
    """

    __slots__ = ("value", "handle", "_owner")

    def __init__(self, value: Any, handle: Any, owner: _Owner | None = None):
        self.value = value
        self.handle = handle
        self._owner = None if owner is None else weakref.ref(owner)

    def owned_by(self, owner: _Owner) -> bool:
        return self._owner is not None and self._owner() is owner

    def __del__(self):
        ref = getattr(self, "_owner", None)
        owner = None if ref is None else ref()
        if owner is not None:
            owner.released.append(self.handle)


def prepare(value: Any) -> PreparedData:
    """Convert ``value`` (a parsed payload or an item of it) once for the configured engine.

    ``UNDEFINED`` is a valid input: JSONata then sees no input at all (``$count($)`` is 0).
    """
    if value is UNDEFINED:
        return PreparedData(UNDEFINED, None)
    if _config.memory_limit_mb:
        return isolation.RemoteData(value)
    if _config.engine == "jsonatapy":
        owner = _owner()
        return PreparedData(value, owner.run(_prepare_on, value), owner)
    return PreparedData(value, value)


def _convert(value: Any):
    import jsonatapy

    try:
        return jsonatapy.JsonataData(value)
    except _FATAL:
        raise
    except BaseException as exc:  # noqa: BLE001
        raise ExpressionError(f"data cannot be used by JSONata: {exc}", code="D0000") from None


def _prepare_on(owner: _Owner, value: Any) -> int:
    token = next(_tokens)
    owner.handles[token] = _convert(value)
    return token


def evaluate(text: str, data: PreparedData | Any, bindings: dict[str, Any] | None = None,
             timeout_ms: int | None = None) -> Any:
    """Evaluate ``text`` against ``data`` (a ``PreparedData`` or a plain value); ``UNDEFINED`` if no value.

    ``timeout_ms`` shortens the configured time limit for this evaluation (the rest of an event's budget).
    """
    if _config.memory_limit_mb:
        return _evaluate_isolated(text, data, bindings, timeout_ms)
    if _config.engine == "jsonatapy":
        if not isinstance(text, str):
            raise ExpressionError("expression must be a string", code="S0500", expression=str(text))
        owner = _owner()
        if isinstance(data, PreparedData):
            # data prepared on another thread is converted again here: its engine object stays there
            value, token = data.value, data.handle if data.owned_by(owner) else None
        else:
            value, token = data, None
        try:
            return owner.run(_evaluate_on, text, value, token, bindings, timeout_ms)
        except ExpressionError as exc:
            if exc.position is None and exc.code not in _NO_POSITION_CODES:
                exc.position = _runtime_error_position(exc, text, value, bindings)
            raise
    if not isinstance(data, PreparedData):
        data = prepare(data)
    compiled = compile_expression(text)
    try:
        return _evaluate_python(compiled, text, None if data.value is UNDEFINED else data.value, bindings, timeout_ms)
    except ExpressionError as exc:
        if exc.position is None:
            exc.position = _position_named_by(exc, text)
        raise


def _evaluate_isolated(text: str, data: Any, bindings: dict[str, Any] | None, timeout_ms: int | None) -> Any:
    """``evaluate`` in a child process under the memory budget (``isolation.py``)."""
    if not isinstance(text, str):
        raise ExpressionError("expression must be a string", code="S0500", expression=str(text))
    if isinstance(data, PreparedData):
        data = None if data.value is UNDEFINED else isolation.RemoteData(data.value)
    elif not isinstance(data, isolation.RemoteData):
        data = None if data is UNDEFINED else isolation.RemoteData(data)
    config = _config
    wait_ms = timeout_ms if timeout_ms is not None else config.timeout_ms
    try:
        reply = isolation_pool().evaluate(text, data, bindings, wait_ms)
    except isolation.ChildFailed as exc:
        if exc.memory:
            raise _memory_error(text, config) from None
        if exc.timeout:
            raise ExpressionError(f"Expression evaluation timeout: the evaluation exceeded {wait_ms} ms",
                                  code="D1012", expression=text) from None
        raise ExpressionError(f"JSONata engine failure: {exc}", expression=text) from None
    if reply[0] == "ok":
        return reply[1]
    _, code, message, position = reply
    if code == isolation.MEMORY_CODE:
        raise _memory_error(text, config)
    raise ExpressionError(message, code=code, position=position, expression=text)


def isolation_pool() -> isolation.Pool:
    """This process's evaluation children for the current configuration."""
    config = _config
    limits = isolation.Limits(config.memory_limit_mb, config.max_output_bytes, config.processes)
    engine = {"engine": config.engine, "timeout_ms": config.timeout_ms, "max_depth": config.max_depth,
              "max_sequence": config.max_sequence, "cache_size": config.cache_size,
              "event_timeout_ms": config.event_timeout_ms}
    return isolation.pool(engine, limits)


def _memory_error(text: str, config: EngineConfig) -> ExpressionError:
    return ExpressionError(f"The expression exceeded its memory budget of {config.memory_limit_mb} MB",
                           code=isolation.MEMORY_CODE, expression=text)


def _evaluate_on(owner: _Owner, text: str, value: Any, token: int | None, bindings: dict[str, Any] | None,
                 timeout_ms: int | None) -> Any:
    compiled = _compiled_on(owner, text)
    handle = None
    if value is not UNDEFINED:
        handle = owner.handles.get(token) if token is not None else None
        if handle is None:
            handle = _convert(value)
    try:
        if handle is None:
            text_result = compiled.evaluate_json_or_none(None, bindings, timeout=timeout_ms)
            result = UNDEFINED if text_result is None else json.loads(text_result)
        elif timeout_ms is None:
            result = compiled.evaluate_with_data(handle, bindings)
        else:
            result = compiled.evaluate_with_data(handle, bindings, timeout=timeout_ms)
    except _FATAL:
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic arrives as a BaseException subclass
        raise _from_engine_error(exc, text) from None
    if result == _UNDEF_MARK:
        return UNDEFINED
    return result


# Bounds and engine failures: a position would point at nothing useful (and locating would rerun them).
_NO_POSITION_CODES = frozenset({"D1012", "D1011", "D2015", "D0000", "S0500", None})
_LOCATE_TIMEOUT_MS = 200
_NON_FUNCTION_RE = re.compile(r"non-function: (\$\w+)")
_OPERAND_RE = re.compile(r"(left|right) side of the (\S+) operator")


def _runtime_error_position(error: ExpressionError, text: str, value: Any, bindings) -> int | None:
    """jsonatapy reports no position for evaluation errors: ask jsonata-python, which evaluates the same
    expression and locates its error, when it fails with the same code (briefly bounded); else name the
    token the message names (``$foo`` of T1006). Positions point just after the offending token, as the
    engines do. Only ever called for a failing expression, so the happy path costs nothing."""
    position = _position_named_by(error, text)
    if position is not None:
        return position
    if error.code == "T1006":  # jsonata-python reports T1006 at position 0 (and prints to stdout)
        return None
    try:
        compiled = _lru(_python_cache(), text, _compile_python)
        compiled.environment.set_runtime_bounds(_LOCATE_TIMEOUT_MS, _config.max_depth)
        compiled.evaluate(None if value is UNDEFINED else value, bindings)
    except RecursionError:
        return None
    except Exception as exc:  # noqa: BLE001 - only its code and position matter
        located = _from_engine_error(exc, text)
        if located.code == error.code and located.position is not None:
            return located.position
    return None


def _position_named_by(error: ExpressionError, text: str) -> int | None:
    """The position of the token an error message names, when it occurs once in the expression."""
    match = _NON_FUNCTION_RE.search(error.message)
    if match and text.count(match.group(1) + "(") == 1:
        return text.index(match.group(1) + "(") + len(match.group(1)) + 1
    match = _OPERAND_RE.search(error.message)
    if match and text.count(match.group(2)) == 1:
        return text.index(match.group(2)) + len(match.group(2))
    return None


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
        error = _from_engine_error(exc, text)
        offset = getattr(compiled, "helper_offset", 0)
        if offset and error.position is not None:
            error.position = error.position - offset if error.position >= offset else None
        raise error from None
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
