"""The evaluation child of ``isolation.py``: started as ``python -m integrations.mapping.isolation_child``.

It loads the engine, then limits its own address space to its size plus the budget, answers "ready", and
serves evaluations and whole-event mappings one at a time, in-process (``memory_limit_mb=0`` here), until
its stdin closes. Every reply is a length-prefixed pickle of plain values.
"""
from __future__ import annotations

import os
import pickle
import resource
import signal
import sys
from typing import Any

from integrations.mapping import engine, isolation
from integrations.mapping import jsonata as expressions
from integrations.mapping.payload import MAX_DEPTH, nested_deeper_than
from integrations.mapping.results import MappingError


def _statm(field: int) -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")


def main() -> None:  # pragma: no cover - runs in the child process (tests drive it from outside)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but replies on the pipe
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is for the parent

    def receive():
        header = stdin.read(isolation.HEADER.size)
        if len(header) < isolation.HEADER.size:
            return None
        return pickle.loads(stdin.read(isolation.HEADER.unpack(header)[0]))

    def send(reply) -> None:
        isolation.write(stdout, reply if isinstance(reply, bytes) else pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))

    engine_config, limits = receive()
    expressions.configure(**{**engine_config, "memory_limit_mb": 0})
    expressions.evaluate("1", None)  # load the engine before the limit is set
    budget = limits.memory_limit_mb * 2**20
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort must not spend seconds dumping core
    resource.setrlimit(resource.RLIMIT_AS, (_statm(0) + budget,) * 2)
    baseline_rss = _statm(1)
    data: dict[int, Any] = {}
    send("ready")
    while True:
        message = receive()
        if message is None:
            return
        for dropped in message[-1]:
            data.pop(dropped, None)
        recycle = False
        try:
            if message[0] == "map":
                reply = _map_in_child(message, limits)
            else:
                reply = _evaluate_in_child(message, data, limits)
        except MemoryError:
            data.clear()
            reply, recycle = ("error", isolation.MEMORY_CODE, None, None), True
        if not recycle and _statm(1) > baseline_rss + budget // 4:
            recycle = True  # the allocator kept what a large evaluation used: start afresh
        send(("recycle", reply) if recycle else reply)
        if recycle:
            return


def _evaluate_in_child(message: tuple, data: dict, limits: isolation.Limits) -> tuple | bytes:
    _, text, token, send_value, value, bindings, timeout_ms, _drops = message
    try:
        if send_value:
            data[token] = expressions.prepare(value)
        target = data[token] if token is not None else expressions.UNDEFINED
        result = expressions.evaluate(text, target, bindings, timeout_ms)
        if isinstance(result, dict | list) and nested_deeper_than(result, MAX_DEPTH):
            raise expressions.ExpressionError(f"The result is nested deeper than {MAX_DEPTH} levels")
    except expressions.ExpressionError as exc:
        return ("error", exc.code, exc.message, exc.position)
    body = pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)
    if len(body) > limits.max_output_bytes:
        return ("error", isolation.OUTPUT_CODE, f"The result of the expression is larger than the limit of "
                f"{limits.max_output_bytes} bytes", None)
    return body


def _map_in_child(message: tuple, limits: isolation.Limits) -> tuple | bytes:
    _, function, args, context, keywords, _drops = message
    specs: list[dict] = []
    if context is not None:
        def record(spec: dict) -> str:
            specs.append(spec)
            return isolation.FILE_PROXY_PLACEHOLDER % (len(specs) - 1)

        args = (*args, engine.RuntimeContext(context[0], context[1], build_file_proxy_url=record))
    try:
        result = getattr(engine, function)(*args, **keywords)
    except MappingError as exc:
        return ("mapping_error", exc.code, exc.message, exc.details)
    body = pickle.dumps(("ok", result, specs), protocol=pickle.HIGHEST_PROTOCOL)
    if len(body) > limits.max_output_bytes:
        return ("mapping_error", "JSONATA_ERROR", f"The mapping result of this event is larger than the limit "
                f"of {limits.max_output_bytes} bytes", {"jsonata": {"code": isolation.OUTPUT_CODE}})
    return body


if __name__ == "__main__":  # pragma: no cover
    main()
