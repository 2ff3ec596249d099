"""The cost and the effect of the JSONata memory budget (evaluation in supervised child processes).

Prints mapping throughput of the bench/mapping.py use case in-process (no budget) and isolated (the default,
``JSONATA_MEMORY_LIMIT_MB=256``), counting the CPU of the evaluation children too, and the RSS of this
process and of the children while the probe's runaway expressions are evaluated. Asserts nothing.

    .venv/bin/python bench/jsonata_isolation.py [--seconds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.mapping import PAYLOAD, USE_CASE  # noqa: E402

RUNAWAY = ["$pad('x', 1e9)", "[1..10000].([1..10000])"]


def rss(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def cpu_seconds(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children() -> list[int]:
    from integrations.mapping import isolation

    pool = isolation._pool
    return [] if pool is None else [child.proc.pid for child in pool.children if child.alive]


def throughput(memory_limit_mb: int, seconds: float, per_expression: bool = False) -> tuple[float, float]:
    """(events/s by wall clock on one thread, events per CPU-second of this process and its children).

    ``per_expression``: one round trip per JSONata evaluation (what outbound and the file proxy use)
    instead of one per event (``bounded.map_inbound``, what simulation and processing use)."""
    from integrations.mapping import bounded, engine
    from integrations.mapping import jsonata as expressions
    from integrations.mapping.payload import parse_payload

    map_inbound = engine.map_inbound if per_expression else bounded.map_inbound

    expressions.configure(memory_limit_mb=memory_limit_mb)
    text = json.dumps(PAYLOAD)
    for _ in range(20):
        map_inbound(USE_CASE, parse_payload(text, "json"))  # warm caches and start the children
    pids = children()
    cpu0 = cpu_seconds() + sum(cpu_seconds(p) for p in pids)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        map_inbound(USE_CASE, parse_payload(text, "json"))
        count += 1
    wall = time.perf_counter() - start
    cpu = cpu_seconds() + sum(cpu_seconds(p) for p in pids) - cpu0
    return count / wall, count / cpu


def runaway_rss() -> None:
    from integrations.mapping import jsonata as expressions

    expressions.configure(memory_limit_mb=256)
    expressions.evaluate("1", None)
    for text in RUNAWAY:
        before = rss()
        start = time.perf_counter()
        try:
            expressions.evaluate(text, {"a": 1})
            outcome = "no error (!)"
        except expressions.ExpressionError as exc:
            outcome = exc.code
        elapsed = time.perf_counter() - start
        child_rss = ", ".join(f"{rss(p):.0f}" for p in children())
        print(f"{text:26s} -> {outcome:22s} in {elapsed:.2f} s; this process {before:.0f} -> {rss():.0f} MB RSS, "
              f"children now {child_rss} MB")
    assert expressions.evaluate("1 + 1", None) == 2
    print("the next evaluation is answered normally")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpintegration.settings")
    import django

    django.setup()
    print(f"use case of bench/mapping.py: {len(json.dumps(PAYLOAD))}-byte payload, 3 entities, one thread")
    inproc = throughput(0, args.seconds)
    isolated = throughput(256, args.seconds)
    per_expression = throughput(256, args.seconds / 2, per_expression=True)
    for label, (wall, per_cpu) in (("in-process (no budget)", inproc), ("256 MB, per event", isolated),
                                   ("256 MB, per expression", per_expression)):
        print(f"{label:24s} {wall:8,.0f} events/s (wall, one thread), {per_cpu:8,.0f} events per CPU-second "
              "(this process and the evaluation children)")
    print(f"cost of the budget: x{inproc[1] / isolated[1]:.2f} CPU per event (one round trip per event), "
          f"x{inproc[1] / per_expression[1]:.2f} with one round trip per expression")
    runaway_rss()


if __name__ == "__main__":
    main()
