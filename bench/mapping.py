"""Mapping throughput and simulation latency. Prints figures; asserts nothing (targets from issue 3:
>= 5,000 events/s per core with the default engine, simulateMappingV2 p95 < 20 ms on the embedded default).

    .venv/bin/python bench/mapping.py [--events N] [--requests N]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# A realistic ERP record (~3 KB): a business partner with account, contract, two meters and readings.
PAYLOAD = {
    "header": {"source": "SAP-ISU", "client": "100", "messageId": "5f0c7a1e-43d2-4c8e-9a61-0c2b1f9e7d11",
               "sentAt": "2025-03-14T08:15:30.123+01:00", "eventType": "BusinessPartnerChanged"},
    "partner": {"id": "0001047110", "type": "person", "salutation": "Frau", "title": "Dr.",
                "firstName": "Anna", "lastName": "Müller", "birthDate": "1984-07-02",
                "email": "anna.mueller@example.com", "emails": ["anna.mueller@example.com", "a.m@example.org"],
                "phone": "+49 351 1234567", "mobile": "+49 170 7654321", "language": "DE",
                "marketingConsent": True, "vip": False, "customerSince": "2009-01-01",
                "address": {"street": "Königsbrücker Straße", "houseNumber": "12a", "postalCode": "01099",
                            "city": "Dresden", "country": "DE"}},
    "account": {"id": "ACC-000998877", "iban": "DE02120300000000202051", "bic": "BYLADEM1001",
                "paymentMethod": "SEPA", "billingCycle": "monthly", "dunningLevel": 0, "balance": -12.5,
                "billingAddress": {"street": "Postfach", "houseNumber": "10 01 23", "postalCode": "01001",
                                   "city": "Dresden", "country": "DE"}},
    "contract": {"number": "4000123456", "product": "Strom Öko 24", "status": "active",
                 "startDate": "2023-01-01", "endDate": None, "noticePeriodWeeks": 6,
                 "annualConsumptionKwh": 2650, "basePriceEurMonth": 12.9, "workPriceCtKwh": 31.45,
                 "installments": [{"dueDate": "2025-04-01", "amount": 78.0}, {"dueDate": "2025-05-01", "amount": 78.0}]},
    "meters": [
        {"number": "1ESY1160123456", "type": "electricity", "location": "DE0001234567890000000000000000001",
         "counters": [{"obis": "1-0:1.8.0", "direction": "consumption"}],
         "readings": [{"id": "RD-1", "date": "2025-03-01T00:00:00Z", "value": 12345.6, "reason": "regular"},
                      {"id": "RD-2", "date": "2025-02-01T00:00:00Z", "value": 12101.2, "reason": "regular"}]},
        {"number": "7GAS0042000111", "type": "gas", "location": "DE0009876543210000000000000000002",
         "counters": [{"obis": "7-0:3.0.0", "direction": "consumption"}],
         "readings": [{"id": "RD-3", "date": "2025-03-01", "value": 4410, "reason": "regular"}]},
    ],
    "contactPersons": [
        {"role": "owner", "name": "Anna Müller", "email": "anna.mueller@example.com", "phone": "+49 351 1234567"},
        {"role": "tenant", "name": "Jonas Weber", "email": "j.weber@example.net", "phone": "+49 351 7654321"},
        {"role": "caretaker", "name": "Hausverwaltung Elbflorenz GmbH", "email": "service@elbflorenz.example",
         "phone": "+49 351 5550000"},
    ],
    "invoices": [{"number": f"INV-2025-{n:05d}", "date": f"2025-0{n}-05", "amount": 78.0 + n, "paid": n < 3}
                 for n in range(1, 5)],
    "notes": "Customer asked for paper invoices until further notice. Prefers contact by e-mail after 5 pm.",
}

USE_CASE = {
    "entities": [
        {"entity_schema": "contact", "unique_ids": ["customer_number"], "jsonataExpression": "partner",
         "fields": [
             {"attribute": "customer_number", "field": "id"},
             {"attribute": "first_name", "field": "firstName"},
             {"attribute": "last_name", "field": "lastName"},
             {"attribute": "salutation", "jsonataExpression": "salutation = 'Frau' ? 'Ms.' : 'Mr.'"},
             {"attribute": "title", "field": "title"},
             {"attribute": "birthdate", "field": "birthDate"},
             {"attribute": "email", "field": "emails", "_type": "email"},
             {"attribute": "phone", "jsonataExpression": "[phone, mobile]", "_type": "phone"},
             {"attribute": "address", "jsonataExpression":
                 "[{'street': address.street, 'street_number': address.houseNumber, "
                 "'postal_code': address.postalCode, 'city': address.city, 'country': address.country}]"},
             {"attribute": "marketing_permission", "field": "marketingConsent"},
             {"attribute": "source_system", "field": "$$.header.source"},
         ]},
        {"entity_schema": "billing_account", "unique_ids": ["external_id"], "jsonataExpression": "account",
         "fields": [
             {"attribute": "external_id", "field": "id"},
             {"attribute": "payment_method", "jsonataExpression": "paymentMethod = 'SEPA' ? 'sepa' : 'invoice'"},
             {"attribute": "iban", "field": "iban"},
             {"attribute": "balance", "jsonataExpression": "$string(balance)"},
             {"attribute": "contact", "relations": {"operation": "_set", "items": [{
                 "entity_schema": "contact", "_tags": ["PAYER"],
                 "unique_ids": [{"attribute": "customer_number", "field": "$$.partner.id"}]}]}},
         ]},
        {"entity_schema": "contract", "unique_ids": ["contract_number"], "fields": [
            {"attribute": "contract_number", "field": "contract.number"},
            {"attribute": "contract_name", "jsonataExpression": "contract.product & ' (' & contract.number & ')'"},
            {"attribute": "status", "field": "contract.status"},
            {"attribute": "start_date", "field": "contract.startDate"},
            {"attribute": "installment_amount", "jsonataExpression": "$sum(contract.installments.amount)"},
            {"attribute": "billing_account", "relations": {"operation": "_set", "items": [{
                "entity_schema": "billing_account", "unique_ids": [{"attribute": "external_id", "field": "account.id"}]}]}},
            {"attribute": "meters", "relations": {"operation": "_set", "jsonataExpression":
                "meters.{'entity_schema': 'meter', 'unique_ids': [{'attribute': 'meter_number', 'constant': number}]}"}},
        ]},
    ],
}


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpintegration.settings")
    import django

    django.setup()


def events_per_second(engine: str, seconds: float, min_events: int) -> tuple[float, float]:
    from integrations.mapping import jsonata as expressions
    from integrations.mapping.engine import map_inbound
    from integrations.mapping.payload import parse_payload

    expressions.configure(engine=engine)
    text = json.dumps(PAYLOAD)
    map_inbound(USE_CASE, parse_payload(text, "json"))  # warm the compile cache
    # CPU time of this process: "per core", and fair on a machine shared with other work.
    count, start = 0, time.process_time()
    while count < min_events or time.process_time() - start < seconds:
        map_inbound(USE_CASE, parse_payload(text, "json"))
        count += 1
    warm = count / (time.process_time() - start)

    cold_count, start = 0, time.process_time()
    while cold_count < max(5, min_events // 20) or time.process_time() - start < seconds / 3:
        expressions.clear_cache()
        map_inbound(USE_CASE, parse_payload(text, "json"))
        cold_count += 1
    cold = cold_count / (time.process_time() - start)
    return warm, cold


def bare_engine_per_second(seconds: float) -> float:
    """The same work done by jsonatapy alone: every expression and field of the use case (fields as JSONata
    paths) compiled once and evaluated on the payload converted once per event (entity items converted once
    each), with no wrapper around it: no plan, checks, attribute building, copies or limits."""
    import jsonatapy

    def expressions_of(entity: dict) -> list[str]:
        texts = []
        for spec in entity["fields"]:
            relations = spec.get("relations")
            if relations is not None:
                texts += [relations["jsonataExpression"]] if "jsonataExpression" in relations else []
                texts += [uid["field"] for item in relations.get("items", []) for uid in item["unique_ids"]]
            elif "jsonataExpression" in spec:
                texts.append(spec["jsonataExpression"])
            elif "field" in spec:
                texts.append(spec["field"])
        return texts

    program = [(jsonatapy.compile(e["jsonataExpression"]) if "jsonataExpression" in e else None,
                [jsonatapy.compile(text) for text in expressions_of(e)]) for e in USE_CASE["entities"]]
    text = json.dumps(PAYLOAD)

    def one_event():
        root = jsonatapy.JsonataData(json.loads(text))
        for entity_expression, field_expressions in program:
            item = root if entity_expression is None else jsonatapy.JsonataData(
                entity_expression.evaluate_with_data(root))
            for expression in field_expressions:
                expression.evaluate_with_data(item)

    one_event()
    count, start = 0, time.process_time()
    while count < 500 or time.process_time() - start < seconds:
        one_event()
        count += 1
    return count / (time.process_time() - start)


def on_worker_thread(function):
    """``function()`` on a thread other than the main one (as in gunicorn gthread or runserver)."""
    import threading

    box = []
    worker = threading.Thread(target=lambda: box.append(function()))
    worker.start()
    worker.join()
    return box[0]


def simulation_latency(requests: int) -> list[float]:
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    from erpintegration.tokens import issue_token
    from integrations.mapping import jsonata as expressions
    from tests.factories import OrganizationFactory

    expressions.configure(engine="jsonatapy")
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        issued = issue_token(OrganizationFactory(), "bench")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
        body = {"event_configuration": USE_CASE, "format": "json", "payload": json.dumps(PAYLOAD)}
        timings = []
        for index in range(requests + 20):
            start = time.perf_counter()
            response = client.post("/v2/erp/updates/mapping_simulation", body, format="json")
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, response.content
            if index >= 20:  # first requests warm caches and the token lookup path
                timings.append(elapsed)
        return timings
    finally:
        runner.teardown_databases(old)


def concurrent_simulation_latency(clients: int, requests: int) -> list[float]:
    """simulateMappingV2 p95 against a real server (gunicorn, 2 processes x 4 threads, a SQLite file) with
    ``clients`` concurrent clients, ``requests`` each (the first 5 of each client warm up and are not counted)."""
    import socket
    import subprocess
    import tempfile
    import threading
    import urllib.request

    root = Path(__file__).resolve().parents[1]
    binary = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as folder, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3", LOG_LEVEL="WARNING",
                   DJANGO_SETTINGS_MODULE="erpintegration.settings")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True)
        token = subprocess.run([sys.executable, "manage.py", "create_token", "--org", "bench", "--name", "bench"],
                               cwd=root, env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        server = subprocess.Popen([str(binary / "gunicorn"), "erpintegration.wsgi:application", "--bind",
                                   f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--log-level", "warning"],
                                  cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            body = json.dumps({"event_configuration": USE_CASE, "format": "json",
                               "payload": json.dumps(PAYLOAD)}).encode()
            timings: list[float] = []
            lock = threading.Lock()

            def client():
                for index in range(requests + 5):
                    request = urllib.request.Request(f"{base}/v2/erp/updates/mapping_simulation", data=body,
                                                     method="POST", headers={"Authorization": f"Bearer {token}",
                                                                             "Content-Type": "application/json"})
                    start = time.perf_counter()
                    with urllib.request.urlopen(request, timeout=30) as response:
                        response.read()
                    if index >= 5:
                        with lock:
                            timings.append((time.perf_counter() - start) * 1000)

            threads = [threading.Thread(target=client) for _ in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return timings
        finally:
            server.terminate()
            server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="time per engine measurement")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    print(f"payload {len(json.dumps(PAYLOAD).encode())} bytes, 3 entities, "
          f"{sum(len(e['fields']) for e in USE_CASE['entities'])} field mappings, one process (one core)")
    from integrations.mapping import evaluation

    load = os.getloadavg()[0]
    bare = bare_engine_per_second(args.seconds)
    wrapped, _ = events_per_second("jsonatapy", args.seconds, 500)
    print(f"{'jsonatapy':15s} {bare:10,.0f} events/s/core: the bare engine on the same expressions; through the "
          f"wrapper {wrapped:,.0f}: {100 * wrapped / bare:.0f} % of the bare rate (target >= 50 %; load {load:.1f})")
    for engine in ("jsonatapy", "jsonata-python"):
        seconds = args.seconds if engine == "jsonatapy" else max(1.0, args.seconds / 2)
        warm, cold = events_per_second(engine, seconds, 20 if engine == "jsonata-python" else 500)
        print(f"{engine:15s} {warm:10,.0f} events/s/core with the compile cache, "
              f"{cold:8,.0f} without (cache cleared per event): x{warm / cold:.1f}")
        shortcut = evaluation.simple_path
        evaluation.simple_path = lambda text: None  # every expression through the JSONata engine
        try:
            engine_only, _ = events_per_second(engine, seconds / 2, 10)
        finally:
            evaluation.simple_path = shortcut
        print(f"{'':15s} {engine_only:10,.0f} events/s/core with every path evaluated by the engine "
              "(no plain-path shortcut)")
    threaded = on_worker_thread(lambda: events_per_second("jsonatapy", args.seconds, 500))
    print(f"{'jsonatapy':15s} {threaded[0]:10,.0f} events/s/core on a worker thread (its own compile cache, as a "
          f"gunicorn gthread), {threaded[1]:8,.0f} without the compile cache")
    timings = simulation_latency(args.requests)
    quantiles = statistics.quantiles(timings, n=100)
    print(f"simulateMappingV2 via Django test client ({len(timings)} requests, jsonatapy, SQLite): "
          f"p50 {statistics.median(timings):.2f} ms, p95 {quantiles[94]:.2f} ms, max {max(timings):.2f} ms")
    timings = concurrent_simulation_latency(8, max(10, args.requests // 8))
    quantiles = statistics.quantiles(timings, n=100)
    print(f"simulateMappingV2 over HTTP, 8 concurrent clients (gunicorn 2 processes x 4 threads, {len(timings)} "
          f"requests): p50 {statistics.median(timings):.2f} ms, p95 {quantiles[94]:.2f} ms (target < 20 ms; "
          f"load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
