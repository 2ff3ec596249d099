"""jsonatapy under threads: no segfault, no object freed on a foreign thread, right answers.

Each scenario runs in a subprocess, so a crash (jsonatapy segfaults when its objects or module state meet
a finished thread) fails the test instead of killing pytest. PyO3 reports an object freed on a foreign
thread as "... is unsendable, but is being dropped on another thread" on stderr: that must never appear.
"""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PRELUDE = """
import gc, sys, threading
from integrations.mapping import jsonata as expressions
from integrations.mapping.engine import map_inbound
from integrations.mapping.results import MappingError

assert expressions.current_config().engine == "jsonatapy"
assert "jsonatapy" not in sys.modules  # the first import happens on a worker thread in every scenario

CONFIG = {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"],
    "jsonataExpression": "partner", "fields": [
        {"attribute": "customer_number", "field": "id"},
        {"attribute": "salutation", "jsonataExpression": "salutation = 'Frau' ? 'Ms.' : 'Mr.'"},
        {"attribute": "name", "jsonataExpression": "firstName & ' ' & $uppercase(lastName)"},
        {"attribute": "phone", "jsonataExpression": "[phone, mobile]", "_type": "phone"},
        {"attribute": "source", "field": "$$.header.source"}]}]}
FAILING = {"entities": [{"entity_schema": "contact", "unique_ids": ["customer_number"], "fields": [
    {"attribute": "customer_number", "field": "partner.id"},
    {"attribute": "x", "jsonataExpression": "$error('boom ' & partner.id)"}]}]}

def payload(n):
    return {"header": {"source": "SAP"}, "partner": {"id": f"C{n}", "salutation": "Frau" if n % 2 else "Herr",
            "firstName": "Anna", "lastName": f"m{n}", "phone": "+49 1", "mobile": "+49 2"}}

def check(n, result):
    (update,) = result.entity_updates
    assert update.attributes == {"customer_number": f"C{n}", "salutation": "Ms." if n % 2 else "Mr.",
        "name": f"Anna M{n}", "phone": [{"phone": "+49 1"}, {"phone": "+49 2"}], "source": "SAP"}, update

def run_threads(target, count, parallel=4):
    errors = []
    def guarded(n):
        try:
            target(n)
        except BaseException as exc:  # a PanicException is a BaseException
            errors.append(f"{n}: {type(exc).__name__}: {exc}")
    for start in range(0, count, parallel):
        threads = [threading.Thread(target=guarded, args=(n,)) for n in range(start, start + parallel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors[:3]
"""

SCENARIOS = {
    # a thread per request (runserver, live_server): compile, convert and evaluate, then the thread ends
    "short_lived_threads": """
        def work(n):
            check(n, map_inbound(CONFIG, payload(n)))
        run_threads(work, 200, parallel=1)
        run_threads(work, 200, parallel=4)
    """,
    # results and errors (whose frames held engine objects before) kept beyond their thread, freed elsewhere
    "kept_results_and_errors": """
        kept, lock = [], threading.Lock()
        def work(n):
            try:
                kept.append(map_inbound(FAILING if n % 3 == 0 else CONFIG, payload(n)))
            except MappingError as error:
                assert error.code == "JSONATA_ERROR" and f"boom C{n}" in error.message, error.message
                kept.append(error)
            with lock:
                if len(kept) > 10:
                    kept.clear()
        run_threads(work, 240)
        kept.clear()
    """,
    # reference cycles holding the engine's Python-side objects, collected by the GC on another thread
    "cycles_collected_elsewhere": """
        from integrations.mapping.evaluation import EventScope
        gc.disable()
        def work(n):
            scope = EventScope(payload(n))
            value = scope.expression("partner.firstName & '!'", scope.root, "x")
            assert value == "Anna!"
            try:
                scope.expression("$error('x')", scope.root, "y")
            except MappingError as error:
                scope.error = error
            scope.cycle = scope  # only the collector frees it
            if n % 10 == 9:
                gc.collect()  # this thread collects the cycles other threads left behind
        run_threads(work, 200)
        gc.collect()
    """,
    # data prepared on one thread, evaluated on another, freed on a third
    "prepared_data_between_threads": """
        prepared = []
        def prepare(n):
            prepared.append((n, expressions.prepare(payload(n))))
        def use(n):
            for m, data in list(prepared):
                assert expressions.evaluate("partner.id", data) == f"C{m}"
                assert expressions.evaluate("$count(partner.*)", data) == 6
        run_threads(prepare, 40)
        run_threads(use, 8)
        for m, data in prepared[:5]:  # the main thread too
            assert expressions.evaluate("partner.id", data) == f"C{m}"
        run_threads(lambda n: prepared.clear(), 1, parallel=1)
        run_threads(prepare, 40)  # the preparing threads are gone: these die on the main thread
        prepared.clear()
    """,
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_engine_survives_threads(scenario):
    script = PRELUDE + textwrap.dedent(SCENARIOS[scenario]) + "\nprint('ok')\n"
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert done.stdout.strip().endswith("ok")
    assert "unsendable" not in done.stderr, done.stderr[-4000:]
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
