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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="time per engine measurement")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    print(f"payload {len(json.dumps(PAYLOAD).encode())} bytes, 3 entities, "
          f"{sum(len(e['fields']) for e in USE_CASE['entities'])} field mappings, one process (one core)")
    from integrations.mapping import evaluation

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


if __name__ == "__main__":
    main()
