"""Eight consumers poll one stream concurrently while events are published (PostgreSQL row locks with
SKIP LOCKED): every message is delivered and acked exactly once, in order, and no two consumers ever
hold a lease at the same time. ``ERP_POLL_SOAK_SECONDS=30`` runs the long version (default: a few seconds).

A consumer killed mid-lease (a real process, SIGKILL) loses nothing: its messages reappear, same ids,
after the visibility timeout. That part runs on SQLite too."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from django.db import connection, connections

from integrations.models import OutboundQueueItem, OutboundStream
from integrations.outbound.services import catalog as outbound
from integrations.outbound.services import stream as outbound_stream
from tests.conftest import make_api_persona
from tests.factories import IntegrationFactory, UseCaseFactory

pytestmark = [pytest.mark.django_db(transaction=True)]
CONSUMERS = 8
SOAK_SECONDS = float(os.environ.get("ERP_POLL_SOAK_SECONDS") or 3)
MIN_EVENTS = 40  # published even when a busy machine makes the few seconds too short


def _poll_integration(organization, visibility_timeout=300):
    integration = IntegrationFactory(organization=organization)
    UseCaseFactory(organization=organization, integration=integration, type="outbound", configuration={
        "event_catalog_event": "meter.read",
        "mappings": [{"id": "5b0c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", "name": "pull", "enabled": True,
                      "delivery": {"type": "poll"}}],
    })
    OutboundStream.objects.create(integration=integration, organization=organization,
                                  visibility_timeout_seconds=visibility_timeout)
    return integration


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent row locks (SKIP LOCKED) need PostgreSQL")
def test_eight_consumers_get_every_message_once_in_order_while_events_are_published():
    persona = make_api_persona()
    org = persona.organization
    integration = _poll_integration(org)
    published: list[int] = []
    delivered: list[int] = []  # in lease order: appended before the batch is acked
    guard = threading.Lock()
    holder: list[str | None] = [None]
    violations: list[str] = []
    errors: list[BaseException] = []
    publishing_done = threading.Event()
    deadline = time.monotonic() + SOAK_SECONDS

    def publisher():
        try:
            n = 0
            while time.monotonic() < deadline or n < MIN_EVENTS:
                outbound.publish_event(org, {"event_name": "meter.read", "payload": {"n": n}})
                published.append(n)
                n += 1
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            publishing_done.set()
            connections.close_all()

    def consumer(name: str, limit: int):
        try:
            while True:
                batch = outbound_stream.poll(org, integration.pk, {"limit": limit})["messages"]
                if not batch:
                    with guard:
                        finished = publishing_done.is_set() and len(delivered) >= len(published)
                    if finished:
                        return
                    time.sleep(0.002)
                    continue
                with guard:
                    if holder[0] is not None:
                        violations.append(f"{name} leased while {holder[0]} held the lease")
                    holder[0] = name
                    delivered.extend(m["payload"]["n"] for m in batch)
                    holder[0] = None  # cleared before the ack commits: no one else can lease until then
                results = outbound_stream.ack(org, integration.pk, {"acks": [
                    {"id": m["id"], "lease_token": m["lease_token"]} for m in batch]})["results"]
                if any(r["status"] != "accepted" for r in results):
                    violations.append(f"{name}: ack rejected {results}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publisher)] + [
        threading.Thread(target=consumer, args=(f"c{i}", (1, 7, 25, 100)[i % 4])) for i in range(CONSUMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SOAK_SECONDS + 60)
    assert errors == [] and violations == []
    assert len(published) >= MIN_EVENTS
    assert delivered == published == list(range(len(published)))  # exactly once, in order
    assert not OutboundQueueItem.objects.filter(integration=integration).exists()  # all acked
    print(f"\n{len(published)} messages published in {SOAK_SECONDS:.0f} s, each delivered and acked once, in order,"
          f" by {CONSUMERS} consumers")


CONSUMER_SCRIPT = textwrap.dedent("""
    import json, sys, time, urllib.request
    url, token = sys.argv[1], sys.argv[2]
    request = urllib.request.Request(url, data=json.dumps({"limit": 3}).encode(), method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    print(urllib.request.urlopen(request).read().decode(), flush=True)
    time.sleep(600)  # working on the batch... until killed
""")


def test_a_killed_consumers_messages_reappear_after_the_visibility_timeout(live_server):
    persona = make_api_persona()
    integration = _poll_integration(persona.organization, visibility_timeout=1)
    for n in range(3):
        outbound.publish_event(persona.organization, {"event_name": "meter.read", "payload": {"n": n}})
    url = f"{live_server.url}/v1/integrations/{integration.pk}/outbound/messages/poll"
    process = subprocess.Popen([sys.executable, "-c", CONSUMER_SCRIPT, url, persona.token],
                               stdout=subprocess.PIPE, text=True)
    try:
        leased = json.loads(process.stdout.readline())["messages"]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        process.stdout.close()
    assert len(leased) == 3
    assert outbound_stream.poll(persona.organization, integration.pk, {})["messages"] == []  # still leased
    time.sleep(1.05)
    again = outbound_stream.poll(persona.organization, integration.pk, {})["messages"]
    assert [m["id"] for m in again] == [m["id"] for m in leased]
    assert {m["lease_token"] for m in again}.isdisjoint(m["lease_token"] for m in leased)
