"""Inbound throughput on PostgreSQL with real Celery workers. Prints figures; asserts nothing.

Targets (issue 4, 2-core machine): >= 3,000 events/s accepted over HTTP (100 events a request) and
>= 1,000 events/s processed end to end (accepted -> entities written) for a 3-entity use case.

    .venv/bin/python bench/ingest.py [--requests 40] [--integrations 4] [--workers 2] \
        [--pg postgres://postgres@127.0.0.1:5432/inbound_bench] [--broker redis://127.0.0.1:6379/1]

Only a database whose name ends in ``bench`` is touched: it is recreated, used and dropped.
Phases: (1) accept with no worker running (pure ingest), (2) start the workers and drain that backlog,
(3) accept and process concurrently, timed from the first request to the last entity written.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

USE_CASE = {
    "entities": [
        {"entity_schema": "contact", "unique_ids": ["customer_number"],
         "fields": [{"attribute": "customer_number", "field": "customerId"},
                    {"attribute": "first_name", "field": "firstName"},
                    {"attribute": "last_name", "field": "lastName"},
                    {"attribute": "email", "field": "email", "_type": "email"}]},
        {"entity_schema": "account", "unique_ids": ["account_number"],
         "fields": [{"attribute": "account_number", "field": "accountId"},
                    {"attribute": "iban", "jsonataExpression": "bank.iban"}]},
        {"entity_schema": "contract", "unique_ids": ["contract_number"],
         "fields": [{"attribute": "contract_number", "field": "contractNumber"},
                    {"attribute": "status", "field": "status"},
                    {"attribute": "product", "jsonataExpression": "$uppercase(product)"}]},
    ]
}


def payload(n: int) -> dict:
    return {"customerId": f"C-{n}", "firstName": "Anna", "lastName": f"Müller {n}", "email": f"c{n}@example.com",
            "accountId": f"A-{n}", "bank": {"iban": "DE02120300000000202051"}, "contractNumber": f"K-{n}",
            "status": "active", "product": "strom öko"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str, drop_only: bool = False) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if not name.endswith("bench"):
        raise SystemExit(f"refusing to touch database {name!r}: the name must end in 'bench'")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def post(url: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def send_burst(base: str, token: str, integrations: list[str], requests: int, start: int, threads: int = 4):
    """POST ``requests`` requests of 100 events, spread over the integrations, from ``threads`` threads."""
    jobs = list(range(requests))
    lock = threading.Lock()
    statuses: dict[str, int] = {}

    def run():
        while True:
            with lock:
                if not jobs:
                    return
                job = jobs.pop()
            events = [{"event_name": "CustomerChanged", "timestamp": "2025-05-01T08:30:00Z",
                       "payload": payload(start + job * 100 + i)} for i in range(100)]
            body = {"integration_id": integrations[job % len(integrations)], "events": events}
            for result in post(f"{base}/v3/erp/updates/events", token, body)["results"]:
                with lock:
                    statuses[result["status"]] = statuses.get(result["status"], 0) + 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/inbound_bench")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--requests", type=int, default=40, help="requests of 100 events per phase")
    parser.add_argument("--integrations", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()

    recreate_database(args.pg)
    queue = f"inbound-bench-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, DATABASE_URL=args.pg, CELERY_BROKER_URL=args.broker, CELERY_TASK_DEFAULT_QUEUE=queue,
               DJANGO_SETTINGS_MODULE="erpintegration.settings", LOG_LEVEL="WARNING")
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from entities.models import Entity
    from erpintegration.models import Organization
    from erpintegration.tokens import issue_token
    from integrations.models import ErpEvent, EventStatus, Integration, UseCase

    org = Organization.objects.create(slug="bench", name="Bench")
    token = issue_token(org, "bench").plaintext
    integration_ids = []
    for n in range(args.integrations):
        integration = Integration.objects.create(organization=org, name=f"Bench {n}")
        UseCase.objects.create(organization=org, integration=integration, name="CustomerChanged",
                               slug="customer-changed", type="inbound", enabled=True, configuration=USE_CASE)
        integration_ids.append(str(integration.id))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = []

    def spawn(command):
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        processes.append(process)
        return process

    def wait_processed(total: int, timeout: float = 600) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ErpEvent.objects.filter(status=EventStatus.PROCESSED).count() >= total:
                return time.monotonic()
            time.sleep(0.05)
        raise SystemExit("timed out waiting for processing")

    try:
        spawn([str(BIN / "gunicorn"), "erpintegration.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", "2", "--threads", "4", "--log-level", "warning"])
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        events = args.requests * 100

        started = time.monotonic()
        statuses = send_burst(base, token, integration_ids, args.requests, start=0)
        accept_seconds = time.monotonic() - started
        print(f"accepted: {events} events in {accept_seconds:.2f}s = {events / accept_seconds:,.0f} events/s "
              f"over HTTP (100 events a request, no worker running) {statuses}")

        drain_started = time.monotonic()
        for n in range(args.workers):
            spawn([str(BIN / "celery"), "-A", "erpintegration", "worker", "--pool=solo", "-Q", queue,
                   "-n", f"{queue}-{n}@%h", "--without-gossip", "--without-mingle", "--loglevel=WARNING"])
        finished = wait_processed(events)
        print(f"drained backlog: {events} events in {finished - drain_started:.2f}s = "
              f"{events / (finished - drain_started):,.0f} events/s processed "
              f"(incl. worker start-up; {args.workers} workers, {args.integrations} integrations)")

        started = time.monotonic()
        send_burst(base, token, integration_ids, args.requests, start=events)
        finished = wait_processed(2 * events)
        print(f"end to end: {events} events accepted and written in {finished - started:.2f}s = "
              f"{events / (finished - started):,.0f} events/s (3-entity use case)")
        print(f"entities: {Entity.objects.count()} (expected {2 * events * 3})")
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        recreate_database(args.pg, drop_only=True)
        import redis

        redis.Redis.from_url(args.broker).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


if __name__ == "__main__":
    main()
