"""The JSONata wrapper: undefined vs null, errors with code and position, bounds, per-thread LRU cache."""
import threading

import pytest

from integrations.mapping import jsonata as expressions
from integrations.mapping.jsonata import UNDEFINED, ExpressionError

BOTH = pytest.mark.parametrize("engine", list(expressions.ENGINES), indirect=True)


@BOTH
def test_undefined_is_distinct_from_null(engine):
    data = expressions.prepare({"a": None, "b": [1, 2], "e": []})
    assert expressions.evaluate("a", data) is None
    assert expressions.evaluate("missing", data) is UNDEFINED
    assert expressions.evaluate("b", data) == [1, 2]
    assert expressions.evaluate("e", data) == []
    assert expressions.evaluate("$count(b) > 1 ? 'many' : 'few'", data) == "many"


@BOTH
def test_bindings_and_undefined_input(engine):
    data = expressions.prepare(UNDEFINED)
    assert expressions.evaluate("$count($)", data) == 0
    assert expressions.evaluate("$root.x & '!'", data, {"root": {"x": "hi"}}) == "hi!"


@BOTH
def test_compile_error_has_code_and_expression(engine):
    with pytest.raises(ExpressionError) as info:
        expressions.evaluate("amount +", {"amount": 1})
    assert info.value.code == "S0207"
    assert info.value.position == 8
    assert info.value.expression == "amount +"
    assert "end of expression" in info.value.message.lower()


def test_jsonata_python_reports_positions(engine):
    expressions.configure(engine="jsonata-python")
    with pytest.raises(ExpressionError) as info:
        expressions.compile_expression('"abc')
    assert info.value.code == "S0101" and info.value.position == 4
    assert info.value.as_dict()["position"] == 4


@BOTH
def test_runtime_error_has_code(engine):
    with pytest.raises(ExpressionError) as info:
        expressions.evaluate("1 + name", {"name": "x"})
    assert info.value.code == "T2002"


@BOTH
def test_runaway_expressions_are_bounded(engine):
    expressions.configure(timeout_ms=200, max_depth=100, max_sequence=10_000)
    with pytest.raises(ExpressionError) as loop:
        expressions.evaluate("($f := function($n){ $f($n + 1) }; $f(0))", {})
    assert loop.value.code in ("D1012", "D1011")
    with pytest.raises(ExpressionError) as deep:
        expressions.evaluate("($f := function($n){ $n + $f($n + 1) }; $f(0))", {})
    assert deep.value.code in ("D1011", "D1012")
    with pytest.raises(ExpressionError) as long:
        expressions.evaluate("[1..100000]", {})
    assert long.value.code == "D2015"


def test_jsonata_python_bounds_restart_per_evaluation(engine):
    """jsonata-python starts its clock at compile time; a cached expression must not time out later."""
    expressions.configure(engine="jsonata-python", timeout_ms=50)
    expressions.evaluate("a", {"a": 1})
    import time

    time.sleep(0.08)
    assert expressions.evaluate("a", {"a": 2}) == 2


def test_cache_is_bounded_lru(engine):
    expressions.configure(cache_size=3)
    for text in ("a", "b", "c"):
        expressions.compile_expression(text)
    expressions.compile_expression("a")  # most recently used
    expressions.compile_expression("d")  # evicts b
    cache = expressions._cache()
    assert list(cache) == ["c", "a", "d"]
    assert expressions.cache_info() == {"size": 3, "max_size": 3}


def test_cache_reuses_compiled_objects(engine):
    first = expressions.compile_expression("x.y")
    assert expressions.compile_expression("x.y") is first


def test_other_threads_share_the_engine_thread(engine):
    """jsonatapy objects stay on their owner thread: each thread has its own owner and cache (in-process
    evaluation, i.e. without a memory budget)."""
    expressions.configure(memory_limit_mb=0)
    expressions.compile_expression("a + 1")
    results, errors = [], []

    def worker():
        try:
            results.append((expressions.evaluate("a + 1", {"a": 41}), expressions.cache_info()["size"]))
        except BaseException as exc:  # noqa: BLE001 - a cross-thread jsonatapy object raises BaseException
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [(42, 1)] * 4


def test_configure_rejects_unknown_engine(engine):
    with pytest.raises(ValueError, match="JSONATA_ENGINE"):
        expressions.configure(engine="nodejs")


def test_check_expression(engine):
    assert expressions.check_expression("a.b") is None
    error = expressions.check_expression("a.(")
    assert isinstance(error, ExpressionError) and error.code and error.code.startswith("S0")


@BOTH
def test_results_are_plain_json_values(engine):
    value = expressions.evaluate("items.{'n': n}", {"items": [{"n": 1}, {"n": None}]})
    assert value == [{"n": 1}, {"n": None}]
    assert type(value) is list


@BOTH
@pytest.mark.parametrize(
    ("expression", "code", "position"),
    [
        ("$foo(id)", "T1006", 5),  # the engine names the non-function
        ("$number(id) + name", "T2002", 13),  # the operator whose operand is wrong
        ("$string(id) & $error('boom')", "D3137", 21),
        ("$number(name)", "D3030", None),
    ],
)
def test_runtime_errors_carry_message_and_position(engine, expression, code, position):
    with pytest.raises(ExpressionError) as info:
        expressions.evaluate(expression, {"id": "1", "name": "Anna"})
    assert info.value.message
    if code == "D3030" and expressions.current_config().engine == "jsonata-python":
        return  # it raises a bare ValueError here: message, no code
    assert info.value.code == code
    if position is not None:
        assert info.value.position == position
