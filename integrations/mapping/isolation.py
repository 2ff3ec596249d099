"""JSONata evaluated in supervised child processes, each under an address-space limit.

Neither engine can bound the memory of one evaluation in-process (``$pad('x', 1e9)`` is one allocation
inside one built-in; the time limit only checks between steps). So, when a memory budget is configured,
``expressions.prepare``/``evaluate`` hand the work to a small pool of child processes:

- each child sets ``RLIMIT_AS`` to its own size after start-up plus the budget, so an evaluation that needs
  more fails to allocate: the Rust core aborts the child, Python raises ``MemoryError``; either way the
  caller gets ``ExpressionError(code="MEMORY_LIMIT_EXCEEDED")`` and the child is replaced;
- a result whose serialized size exceeds the output limit is refused in the child
  (``OUTPUT_TOO_LARGE``), so a huge value never reaches the serving process;
- the parent waits for an answer at most the evaluation's time limit plus a grace period, then kills the
  child (``D1012``): a single slow built-in cannot hold a request or a worker any longer;
- a child that grew during an evaluation (memory kept by the allocator) is recycled after answering.

One round trip per evaluation; a payload is sent to a child once (by token) and evaluated against by all
the expressions of its event. Only plain values cross the pipe, framed as length-prefixed pickles between
this process and children it started itself.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

HEADER = struct.Struct("!I")
MEMORY_CODE = "MEMORY_LIMIT_EXCEEDED"
OUTPUT_CODE = "OUTPUT_TOO_LARGE"
_GRACE_MS = 1000  # beyond the evaluation's own time limit, before the child is killed
_START_TIMEOUT_S = 30


@dataclass(frozen=True)
class Limits:
    memory_limit_mb: int
    max_output_bytes: int
    processes: int


class ChildFailed(Exception):
    """The child died, hung or broke the protocol; it has been killed and will be replaced."""

    def __init__(self, reason: str, *, memory: bool = False, timeout: bool = False):
        super().__init__(reason)
        self.memory = memory
        self.timeout = timeout


# --- Parent side ------------------------------------------------------------------------------------------


class RemoteData:
    """A payload to evaluate against: sent to a child on first use there, dropped there when this dies."""

    __slots__ = ("value", "token", "__weakref__")

    def __init__(self, value: Any):
        self.value = value
        self.token = next(_tokens)

    def __del__(self):
        _released.append(self.token)  # list.append is atomic: may run on any thread


_tokens = itertools.count(1)
_released: list[int] = []


class _Child:
    def __init__(self, engine_config: dict, limits: Limits):
        # mimalloc (the Rust core's allocator) otherwise reserves a 1 GiB arena up front, inside which memory
        # grows without touching the address-space limit
        env = {**os.environ, "RUST_BACKTRACE": "0", "MIMALLOC_ARENA_RESERVE": "0", "PYTHONPATH": _project_root()}
        payload = pickle.dumps((engine_config, limits))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "integrations.mapping.isolation_child"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True, bufsize=0,
        )
        self.fd = self.proc.stdout.fileno()
        self.poller = select.poll()
        self.poller.register(self.fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        self.buffer = bytearray()
        self.tokens: set[int] = set()
        self.drops: list[int] = []
        self.alive = True
        _write_all(self.proc.stdin.fileno(), HEADER.pack(len(payload)) + payload)
        ready = self._read(_START_TIMEOUT_S * 1000)
        if ready != "ready":
            self.kill()
            raise ChildFailed(f"the evaluation process did not start: {ready!r}")

    def call(self, message: tuple, wait_ms: int) -> Any:
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            _write_all(self.proc.stdin.fileno(), HEADER.pack(len(body)) + body)
        except (BrokenPipeError, OSError):
            raise self._died() from None
        return self._read(wait_ms)

    def _read(self, wait_ms: int) -> Any:
        header = self._read_exact(HEADER.size, wait_ms)
        body = self._read_exact(HEADER.unpack(header)[0], wait_ms)
        return pickle.loads(body)

    def _read_exact(self, size: int, wait_ms: int) -> bytes:
        """``size`` bytes from the child (usually already in ``buffer``), or the child is killed."""
        while len(self.buffer) < size:
            if not self.poller.poll(wait_ms):
                self.kill()
                raise ChildFailed("the evaluation did not finish in time", timeout=True)
            chunk = os.read(self.fd, max(size - len(self.buffer), 1 << 16))
            if not chunk:
                raise self._died()
            self.buffer += chunk
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def _died(self) -> ChildFailed:
        self.kill()
        code = self.proc.returncode
        # The Rust core aborts (SIGABRT) when an allocation fails under the address-space limit.
        memory = code in (-signal.SIGABRT, 134)
        return ChildFailed(f"the evaluation process ended with {code}", memory=memory)

    def kill(self) -> None:
        self.alive = False
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write(stream, body: bytes) -> None:
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def _project_root() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    existing = os.environ.get("PYTHONPATH")
    return root if not existing else root + os.pathsep + existing


class Pool:
    """A few children shared by this process's threads; one evaluation per child at a time."""

    def __init__(self, engine_config: dict, limits: Limits):
        self.engine_config = engine_config
        self.limits = limits
        self.pid = os.getpid()
        self.idle: list[_Child] = []
        self.children: set[_Child] = set()
        self.started = 0
        self.cond = threading.Condition()
        self.closed = False

    def evaluate(self, text: str, data: RemoteData | None, bindings: dict | None, timeout_ms: int) -> tuple:
        child = self._acquire(data)
        try:
            token = None if data is None else data.token
            with self.cond:
                self._collect_drops()
                send_value = token is not None and token not in child.tokens
                drops, child.drops = child.drops, []
            value = data.value if send_value else None
            reply = child.call(("eval", text, token, send_value, value, bindings, timeout_ms, drops),
                               timeout_ms + _GRACE_MS)
            if token is not None:
                with self.cond:
                    child.tokens.add(token)
            if reply[0] == "recycle":
                child.kill()
                inner = reply[1]
                return pickle.loads(inner) if isinstance(inner, bytes) else inner
            return reply
        except ChildFailed:
            child.kill()
            raise
        finally:
            self._release(child)

    def map_event(self, function: str, args: tuple, context: tuple | None, wait_ms: int,
                  keywords: dict | None = None) -> tuple:
        """A whole mapping (``engine.<function>(*args)``) in one round trip: ("ok", result, file-proxy
        specs) or ("mapping_error", code, message, details)."""
        child = self._acquire(None)
        try:
            with self.cond:
                self._collect_drops()
                drops, child.drops = child.drops, []
            reply = child.call(("map", function, args, context, keywords or {}, drops), wait_ms)
            if reply[0] == "recycle":
                child.kill()
                inner = reply[1]
                return pickle.loads(inner) if isinstance(inner, bytes) else inner
            return reply
        except ChildFailed:
            child.kill()
            raise
        finally:
            self._release(child)

    def _acquire(self, data: RemoteData | None) -> _Child:
        with self.cond:
            while True:
                if self.idle:
                    for index, child in enumerate(self.idle):  # prefer the child that holds the payload
                        if data is not None and data.token in child.tokens:
                            return self.idle.pop(index)
                    return self.idle.pop()
                if self.started < self.limits.processes:
                    self.started += 1
                    break
                self.cond.wait()
        try:
            child = _Child(self.engine_config, self.limits)
        except BaseException:
            with self.cond:
                self.started -= 1
                self.cond.notify()
            raise
        with self.cond:
            self.children.add(child)
        return child

    def _release(self, child: _Child) -> None:
        with self.cond:
            if child.alive and not self.closed:
                self.idle.append(child)
            else:
                self.children.discard(child)
                self.started -= 1
                if child.alive:
                    child.kill()
            self.cond.notify()

    def _collect_drops(self) -> None:
        """Hand the tokens of payloads that died to the children holding them (called under the lock)."""
        while _released:
            token = _released.pop()
            for child in self.children:
                if token in child.tokens:
                    child.tokens.discard(token)
                    child.drops.append(token)

    def close(self) -> None:
        with self.cond:
            self.closed = True
            idle, self.idle = self.idle, []
        for child in idle:
            child.kill()
            with self.cond:
                self.children.discard(child)
                self.started -= 1

    def pids(self) -> list[int]:
        """Process ids of the idle children (tests and diagnostics)."""
        with self.cond:
            return [child.proc.pid for child in self.idle]


_pool: Pool | None = None
_pool_lock = threading.Lock()


def pool(engine_config: dict, limits: Limits) -> Pool:
    """This process's pool for this configuration (a fork or a new configuration starts a new one)."""
    global _pool
    current = _pool
    if (current is not None and current.pid == os.getpid() and current.engine_config == engine_config
            and current.limits == limits):
        return current
    with _pool_lock:
        current = _pool
        if (current is None or current.pid != os.getpid() or current.engine_config != engine_config
                or current.limits != limits):
            if current is not None and current.pid == os.getpid():
                current.close()
            current = _pool = Pool(engine_config, limits)
        return current


def shutdown() -> None:
    """Stop this process's children (tests; at exit they die with their stdin closed)."""
    global _pool
    with _pool_lock:
        if _pool is not None and _pool.pid == os.getpid():
            _pool.close()
        _pool = None


FILE_PROXY_PLACEHOLDER = "\u0000file-proxy-url:%d\u0000"
