"""Pollable outbound throughput on PostgreSQL: poll+ack messages/s through one stream, batches of 100.
Prints figures; asserts nothing. Target (issue 14, 2-core machine): >= 2,000 messages/s.

    .venv/bin/python bench/poll.py [--messages 20000] [--batch 100] [--consumers 1,8]
        [--pg postgres://postgres@127.0.0.1:5432/poll_bench] [--keep]

Only a database whose name ends in ``bench`` is touched: it is recreated, used and dropped. The stream is
seeded by publishing catalog events (enqueue rate printed), then drained by 1 and by 8 concurrent consumers,
each time through the whole HTTP stack in-process (Django test client: token auth, scopes, access log,
JSON) and through the services directly. Every message must come out once, in order.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from store import drop_database, recreate_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/poll_bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--consumers", default="1,8")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def seed(org, count: int) -> float:
    from integrations.outbound.services import catalog as outbound

    started = time.perf_counter()
    for n in range(count):
        outbound.publish_event(org, {"event_name": "contract.updated", "payload": {
            "n": n, "contract_number": f"K-{n}", "status": "active", "customer": {"id": f"C-{n}", "name": "Anna"}}})
    return count / (time.perf_counter() - started)


def drain(org, integration_id, token: str, consumers: int, batch: int, via_http: bool) -> tuple[float, list]:
    from django.db import connections
    from django.test import Client

    from integrations.models import OutboundQueueItem
    from integrations.outbound.services import stream as outbound_stream

    order: list[int] = []
    guard = threading.Lock()
    idle = threading.Event()
    base = f"/v1/integrations/{integration_id}/outbound/messages"

    def consume():
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}") if via_http else None
        try:
            while not idle.is_set():
                if via_http:
                    messages = client.post(f"{base}/poll", {"limit": batch}, content_type="application/json").json()[
                        "messages"]
                else:
                    messages = outbound_stream.poll(org, integration_id, {"limit": batch})["messages"]
                if not messages:
                    if not OutboundQueueItem.objects.filter(integration_id=integration_id).exists():
                        idle.set()
                    time.sleep(0.02)  # a consumer backs off on an empty batch (contended or drained)
                    continue
                with guard:
                    order.extend(m["payload"]["n"] for m in messages)
                acks = {"acks": [{"id": m["id"], "lease_token": m["lease_token"]} for m in messages]}
                if via_http:
                    client.post(f"{base}/ack", acks, content_type="application/json")
                else:
                    outbound_stream.ack(org, integration_id, acks)
        finally:
            connections.close_all()

    started = time.perf_counter()
    threads = [threading.Thread(target=consume) for _ in range(consumers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(order) / (time.perf_counter() - started), order


def main() -> None:
    args = parse_args()
    os.environ["LOG_LEVEL"] = "WARNING"
    recreate_database(args.pg)
    setup_django(args.pg)
    import logging

    logging.getLogger("erpintegration.outbound.stream").setLevel(logging.WARNING)
    from django.db import connection

    from erpintegration.tokens import issue_token
    from integrations.models import Integration, OutboundQueueItem, UseCase
    from tests.factories import OrganizationFactory

    try:
        org = OrganizationFactory(name="bench")
        token = issue_token(org, "erp", scopes=["integration:consume"]).plaintext
        integration = Integration.objects.create(organization=org, name="bench")
        UseCase.objects.create(organization=org, integration=integration, name="pull", type="outbound",
                               configuration={"event_catalog_event": "contract.updated", "mappings": [
                                   {"id": "5b0c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", "name": "pull", "enabled": True,
                                    "delivery": {"type": "poll"}}]})
        print(f"poll bench on {connection.vendor}: {args.messages} messages a round, batches of {args.batch}")
        for consumers in [int(c) for c in args.consumers.split(",")]:
            for via_http in (True, False):
                rate = seed(org, args.messages)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE integrations_outboundqueueitem")
                throughput, order = drain(org, integration.pk, token, consumers, args.batch, via_http)
                in_order = order == sorted(order) and len(set(order)) == len(order) == args.messages
                print(f"  enqueue (publish) {rate:7.0f} events/s | {consumers} consumer(s) "
                      f"{'HTTP    ' if via_http else 'services'}: poll+ack {throughput:7.0f} messages/s "
                      f"({'all once, in order' if in_order else 'ORDER/COUNT MISMATCH'})")
                OutboundQueueItem.objects.all().delete()
    finally:
        if not args.keep:
            drop_database(args.pg)


if __name__ == "__main__":
    main()
