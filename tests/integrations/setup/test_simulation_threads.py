"""simulateMappingV2 on a live server (a new thread per request, as runserver) with the default engine.

jsonatapy objects are bound to the thread that made them; before the fix a finished request thread left
them to be freed elsewhere and the process segfaulted. Concurrent clients, right answers, server alive.
"""
import gc
import json
import sys
import threading
import urllib.error
import urllib.request

import pytest

from integrations.mapping import jsonata as expressions

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = {"entities": [{
    "entity_schema": "contact",
    "unique_ids": ["customer_number"],
    "jsonataExpression": "customer",
    "fields": [
        {"attribute": "customer_number", "field": "id"},
        {"attribute": "name", "jsonataExpression": "firstName & ' ' & $uppercase(lastName)"},
        {"attribute": "kind", "jsonataExpression": "$count(contracts) > 1 ? 'multi' : 'single'"},
        {"attribute": "email", "field": "email", "_type": "email"},
        {"attribute": "total", "jsonataExpression": "$sum(contracts.amount)"},
    ],
}]}
FAILING = {"entities": [{"entity_schema": "contact", "unique_ids": ["id"], "fields": [
    {"attribute": "id", "field": "customer.id"},
    {"attribute": "bad", "jsonataExpression": "customer.id + 1"},
]}]}


def payload(n: int) -> dict:
    return {"customer": {"id": f"C{n}", "firstName": "Anna", "lastName": f"m{n}", "email": f"a{n}@example.com",
                         "contracts": [{"amount": n}, {"amount": 1}][: 1 + n % 2]}}


def expected(n: int) -> dict:
    return {"customer_number": f"C{n}", "name": f"Anna M{n}", "kind": "multi" if n % 2 else "single",
            "email": [{"email": f"a{n}@example.com"}], "total": n + 1 if n % 2 else n}


def post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url + "/v2/erp/updates/mapping_simulation", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def unraisable(monkeypatch):
    """What PyO3 reports when an engine object is freed on a foreign thread ("... is unsendable, but is
    being dropped on another thread") goes to ``sys.unraisablehook``: collect it."""
    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: seen.append(str(report.exc_value)))
    return seen


def test_concurrent_simulations_on_a_thread_per_request_server(live_server, owner, unraisable):
    assert expressions.current_config().engine == "jsonatapy"
    failures: list[str] = []

    def client(worker: int) -> None:
        for step in range(8):
            n = worker * 100 + step
            try:
                if step % 4 == 3:  # an expression error: its exception must not carry engine objects away
                    status, body = post(live_server.url, owner.token, {
                        "event_configuration": FAILING, "format": "json", "payload": json.dumps(payload(n))})
                    if status != 422 or body["code"] != "JSONATA_ERROR" or "T2001" not in body["message"]:
                        failures.append(f"{n}: {status} {body}")
                    continue
                status, body = post(live_server.url, owner.token, {
                    "event_configuration": CONFIG, "format": "json", "payload": json.dumps(payload(n))})
                if status != 200 or [u["attributes"] for u in body["entity_updates"]] != [expected(n)]:
                    failures.append(f"{n}: {status} {body}")
                if step % 3 == 0:
                    gc.collect()  # cycles left by other request threads are collected on this one
            except Exception as exc:  # noqa: BLE001 - reported below with the request number
                failures.append(f"{n}: {type(exc).__name__}: {exc}")

    client(0)  # one request at a time first: each request thread has finished before the next starts
    clients = [threading.Thread(target=client, args=(worker,)) for worker in range(1, 6)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    assert not failures, failures[:5]

    gc.collect()
    status, body = post(live_server.url, owner.token, {
        "event_configuration": CONFIG, "format": "json", "payload": json.dumps(payload(7))})
    assert status == 200 and body["entity_updates"][0]["attributes"] == expected(7)
    assert not [message for message in unraisable if "unsendable" in message], unraisable[:3]
