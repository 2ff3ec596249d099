"""Inbound throughput on PostgreSQL with real Celery workers. Prints figures; asserts nothing.

Targets (issue 4, 2-core machine): >= 3,000 events/s accepted over HTTP (100 events a request): met
(2,600-4,300); >= 1,000 events/s processed end to end (accepted -> entities written) for a 3-entity use case:
not met here, 430 (creates) and 360-490 (updates) events/s with two workers, ~1.8 ms worker CPU per event
(was 2.5-2.7 / 4.5-4.8 ms); workers and PostgreSQL share the two cores. See docs/inbound.md, Performance.

    .venv/bin/python bench/ingest.py [--requests 40] [--integrations 4] [--workers 2] \
        [--pg postgres://postgres@127.0.0.1:5432/inbound_bench] [--broker redis://127.0.0.1:6379/1]

Only a database whose name ends in ``bench`` is touched: it is recreated, used and dropped.
Phases: (1) accept with no worker running (pure ingest), (2) start the workers and drain that backlog,
(3) accept and process concurrently, timed from the first request to the last entity written (creates),
(4) the same with events changing the entities of phase 1 (updates: the usual ERP traffic).
Besides events/s (wall clock, distorted by whatever else runs on the machine) it prints the workers' CPU time
per event, the steadier figure. A server without autovacuum gets an ANALYZE after phase 2, as autovacuum
would have run by then: without table statistics the planner walks the whole schema for every lookup.
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


def payload(n: int, revision: int = 0) -> dict:
    """Revision 1 changes the contact and the contract of the same ids (updates; the account stays unchanged)."""
    return {"customerId": f"C-{n}", "firstName": ("Anna", "Anne")[revision], "lastName": f"Müller {n}",
            "email": f"c{n}@example.com", "accountId": f"A-{n}", "bank": {"iban": "DE02120300000000202051"},
            "contractNumber": f"K-{n}", "status": ("active", "terminated")[revision], "product": "strom öko"}


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


def cpu_seconds(processes) -> float:
    """User + system CPU of the processes (Linux /proc): a figure the other jobs on a shared machine do not
    distort the way they distort wall-clock rates."""
    total = 0.0
    for process in processes:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def post(url: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def load() -> str:
    """The machine's load next to each figure: the two cores are shared with whatever else runs."""
    return f"[load {os.getloadavg()[0]:.1f}]"


def send_burst(base: str, token: str, integrations: list[str], requests: int, start: int, threads: int = 4,
               revision: int = 0, groups: int = 0):
    """POST ``requests`` requests of 100 events, spread over the integrations, from ``threads`` threads. With
    ``groups``, each event carries ``group_id`` ``g<customer % groups>`` (same customer, same lane)."""
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
                       "payload": payload(start + job * 100 + i, revision)} for i in range(100)]
            if groups:
                for i, event in enumerate(events):
                    event["group_id"] = f"g{(start + job * 100 + i) % groups}"
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


def statements_per_event(org, count: int) -> None:
    """The worker's code path run in this process on ``count`` events of a fresh integration (no task is
    sent): SQL statements per event and CPU per event, creates then updates, one batch each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integrations.inbound.services import accept as inbound
    from integrations.inbound.services import processing
    from integrations.models import ErpEvent, Integration, UseCase

    inbound._send_processing_task = lambda event_id: None
    integration = Integration.objects.create(organization=org, name="Bench statements")
    UseCase.objects.create(organization=org, integration=integration, name="CustomerChanged",
                           slug="customer-changed", type="inbound", enabled=True, configuration=USE_CASE)
    for label, revision in (("creates", 0), ("updates", 1)):
        events = [{"event_name": "CustomerChanged", "timestamp": "2025-05-01T08:30:00Z",
                   "payload": payload(10_000_000 + n, revision)} for n in range(count)]
        for first in range(0, count, 100):
            inbound.accept_events(org, "v3", {"integration_id": str(integration.id), "events": events[first:first + 100]})
        last = ErpEvent.objects.filter(integration=integration).order_by("-sequence").values_list("id", flat=True)[0]
        cpu = time.process_time()
        with CaptureQueriesContext(connection) as queries:
            applied = processing.process_events_through(str(last))
        cpu = time.process_time() - cpu
        print(f"in-process, {label}: {applied} events, {len(queries)} SQL statements = "
              f"{len(queries) / applied:.3f} per event; CPU {cpu * 1000 / applied:.2f} ms/event {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/inbound_bench")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--requests", type=int, default=40, help="requests of 100 events per phase")
    parser.add_argument("--integrations", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--groups", type=int, default=0, help="group_id lanes per integration (0: strict order)")
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
    from django.db import connection

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
        statuses = send_burst(base, token, integration_ids, args.requests, start=0, groups=args.groups)
        accept_seconds = time.monotonic() - started
        print(f"accepted: {events} events in {accept_seconds:.2f}s = {events / accept_seconds:,.0f} events/s "
              f"over HTTP (100 events a request, no worker running) {statuses} {load()}")

        drain_started = time.monotonic()
        workers = []
        for n in range(args.workers):
            workers.append(spawn([str(BIN / "celery"), "-A", "erpintegration", "worker", "--pool=solo", "-Q", queue,
                   "-n", f"{queue}-{n}@%h", "--without-gossip", "--without-mingle", "--loglevel=WARNING"]))
        finished = wait_processed(events)
        drain_cpu = cpu_seconds(workers)
        print(f"drained backlog: {events} events in {finished - drain_started:.2f}s = "
              f"{events / (finished - drain_started):,.0f} events/s processed "
              f"(incl. worker start-up; {args.workers} workers, {args.integrations} integrations); "
              f"worker CPU {drain_cpu:.1f}s (incl. start-up) {load()}")

        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            autovacuum = cursor.fetchone()[0]
            if autovacuum != "on":  # production servers analyze grown tables within a minute (autovacuum)
                cursor.execute("ANALYZE")
        print(f"autovacuum is {autovacuum}" + ("; ran ANALYZE as it would have (without table statistics the "
                                                "planner scans the whole schema for each lookup)"
                                                if autovacuum != "on" else ""))

        started, cpu_before = time.monotonic(), cpu_seconds(workers)
        send_burst(base, token, integration_ids, args.requests, start=events, groups=args.groups)
        finished = wait_processed(2 * events)
        worker_cpu = cpu_seconds(workers) - cpu_before
        print(f"end to end: {events} events accepted and written in {finished - started:.2f}s = "
              f"{events / (finished - started):,.0f} events/s (3-entity use case); worker CPU "
              f"{worker_cpu * 1000 / events:.2f} ms/event = {events / worker_cpu:,.0f} events/s per worker core "
              f"{load()}")
        print(f"entities: {Entity.objects.count()} (expected {2 * events * 3})")

        started, cpu_before = time.monotonic(), cpu_seconds(workers)
        send_burst(base, token, integration_ids, args.requests, start=0, revision=1, groups=args.groups)
        finished = wait_processed(3 * events)
        worker_cpu = cpu_seconds(workers) - cpu_before
        print(f"end to end, updates: {events} events changing the entities of phase 1 in {finished - started:.2f}s = "
              f"{events / (finished - started):,.0f} events/s; worker CPU {worker_cpu * 1000 / events:.2f} ms/event "
              f"= {events / worker_cpu:,.0f} events/s per worker core {load()}")
        changed = Entity.objects.filter(schema="contract", attributes__status="terminated").count()
        print(f"entities: {Entity.objects.count()} (expected {2 * events * 3}), contracts changed: {changed} "
              f"(expected {events})")
        statements_per_event(org, 500)
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
