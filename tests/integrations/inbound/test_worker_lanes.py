"""Lanes and micro-batching with REAL Celery workers on Redis and PostgreSQL (run by `.ci/run`, like
test_worker.py): order within a group under 4 concurrent workers, groups progressing in parallel, strict
order without a group, and a killed worker losing nothing and applying nothing twice with batching on."""
from contextlib import contextmanager
from datetime import timedelta

import psycopg
from django.db import connection

from entities.models import Entity
from entities.services.rows import identity_lock_key
from integrations.inbound.services.accept import sweep_stale_events
from integrations.inbound.services.lanes import TURN_LOCK_CLASS
from integrations.inbound.services.processing import process_events_through
from integrations.models import ErpEvent, EventStatus
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event
from tests.integrations.inbound.test_worker import (  # noqa: F401 - fixtures
    broker_queue,
    monitoring_inserts_blocked,
    processed,
    wait_for,
)
from tests.integrations.inbound.test_worker import pytestmark as worker_marks

pytestmark = worker_marks


def events_of(customer: str, first: int, count: int) -> list[dict]:
    return [v3_event(payload={"customerId": customer, "firstName": f"seq-{n}"}) for n in range(first, first + count)]


def first_name(organization, customer: str) -> str | None:
    entity = Entity.objects.filter(organization=organization, attributes__customer_number=customer).first()
    return entity.attributes.get("first_name") if entity else None


@contextmanager
def identity_held(organization, customer: str):
    """Hold the identity lock of one contact from outside: the worker writing it waits inside its batch."""
    key = identity_lock_key(organization, "contact", {"customer_number": customer})
    blocker = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        blocker.execute("SELECT pg_advisory_lock(%s)", [key])
        yield
    finally:
        blocker.close()


def waiting_advisory_locks(classid: int | None = None) -> int:
    with connection.cursor() as cursor:
        sql = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        params: list = []
        if classid is not None:
            sql += " AND classid = %s::oid"
            params.append(classid & 0xFFFFFFFF)
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_within_a_group_order_is_kept_under_four_concurrent_workers(owner, broker_queue):  # noqa: F811
    for _ in range(4):
        broker_queue()
    integration, _ = integration_with_use_case(owner.organization)
    ids = []
    for request in range(8):  # eight requests: eight tasks racing for the same lane on four workers
        body = post_v3(owner, integration, events_of("C-1", request * 12, 12) + events_of("C-2", request * 12, 12),
                       group_id="customers").json()
        ids += [r["event_id"] for r in body["results"]]
    wait_for(lambda: processed(ids), "192 grouped events processed")
    assert first_name(owner.organization, "C-1") == "seq-95"
    assert first_name(owner.organization, "C-2") == "seq-95"
    assert InboundMonitoringEvent.objects.filter(integration_id=str(integration.id)).count() == 192
    assert set(ErpEvent.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}


def test_groups_progress_in_parallel_while_one_group_is_stuck(owner, broker_queue):  # noqa: F811
    broker_queue()
    broker_queue()
    integration, _ = integration_with_use_case(owner.organization)
    with identity_held(owner.organization, "A-1"):
        stuck = [r["event_id"] for r in post_v3(owner, integration, events_of("A-1", 0, 3), group_id="a")
                 .json()["results"]]
        wait_for(lambda: waiting_advisory_locks() > 0, "group a's worker to wait for the held identity")
        other = [r["event_id"] for r in post_v3(owner, integration, [
            v3_event(group_id="b", payload={"customerId": "B-1", "firstName": "seq-0"}),
            v3_event(group_id="b", payload={"customerId": "B-1", "firstName": "seq-1"})]).json()["results"]]
        wait_for(lambda: processed(other), "group b to be applied while group a is stuck")
        assert first_name(owner.organization, "B-1") == "seq-1"
        assert not processed(stuck)
    wait_for(lambda: processed(stuck), "group a to finish once released")
    assert first_name(owner.organization, "A-1") == "seq-2"


def test_without_a_group_events_wait_for_the_stuck_one(owner, broker_queue):  # noqa: F811
    broker_queue()
    broker_queue()
    integration, _ = integration_with_use_case(owner.organization)
    with identity_held(owner.organization, "A-1"):
        stuck = [r["event_id"] for r in post_v3(owner, integration, events_of("A-1", 0, 2)).json()["results"]]
        wait_for(lambda: waiting_advisory_locks() > 0, "the first worker to wait for the held identity")
        later = [r["event_id"] for r in post_v3(owner, integration, events_of("B-1", 0, 2)).json()["results"]]
        # the second worker takes the later task and waits for the lane's turn: strict order
        wait_for(lambda: waiting_advisory_locks(TURN_LOCK_CLASS) > 0, "the second worker to wait for the lane")
        assert not processed(later) and not processed(stuck)
    wait_for(lambda: processed(stuck + later), "both requests applied in order")
    events = {str(e.pk): e for e in ErpEvent.objects.filter(pk__in=stuck + later)}
    assert max(events[pk].sequence for pk in stuck) < min(events[pk].sequence for pk in later)
    assert max(events[pk].completed_at for pk in stuck) <= min(
        events[pk].completed_at for pk in later)


def test_a_killed_worker_loses_nothing_and_applies_nothing_twice_with_batching(owner, broker_queue):  # noqa: F811
    worker = broker_queue()
    integration, _ = integration_with_use_case(owner.organization)
    events = [v3_event(payload={"customerId": f"K-{n % 20}", "firstName": f"seq-{n}"}) for n in range(60)]
    with monitoring_inserts_blocked() as worker_is_waiting:
        ids = [r["event_id"] for r in post_v3(owner, integration, events, group_id="g").json()["results"]]
        wait_for(worker_is_waiting, "the worker to be blocked inside its batch transaction (entities written)")
        worker.kill()
    assert set(ErpEvent.objects.filter(pk__in=ids).values_list("status", flat=True)) == {EventStatus.PROCESSING}
    assert not Entity.objects.filter(organization=owner.organization).exists()  # rolled back with the worker

    broker_queue()  # restart
    assert sweep_stale_events(timedelta(0)) == 1  # one lane
    wait_for(lambda: processed(ids), "the swept lane to be applied after the restart")
    assert Entity.objects.filter(organization=owner.organization, schema="contact").count() == 20
    assert first_name(owner.organization, "K-19") == "seq-59"
    for event_id in ids:
        assert InboundMonitoringEvent.objects.filter(event_id=event_id).count() == 1
    assert set(ErpEvent.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {2}
    sweep_stale_events(timedelta(0))
    assert process_events_through(ids[-1]) == 0
    assert InboundMonitoringEvent.objects.filter(integration_id=str(integration.id)).count() == 60
