"""Tasks of one integration running at the same time (PostgreSQL: real concurrent connections)."""
import threading
import time

import pytest
from django.db import connection, connections

from integrations.inbound.services import accept as inbound
from integrations.inbound.services import processing
from integrations.models import ErpEvent, EventStatus
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def advisory_lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def wait_until(condition, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent database connections")
def test_a_task_queued_behind_a_claim_does_not_spend_its_attempts(owner, monkeypatch):
    """A burst of requests queues many tasks on one integration. A task must not re-claim (and count an
    attempt for) events another live task has just claimed and is about to apply: five such re-claims
    failed healthy events with PROCESSING_FAILED 'worker lost'."""
    monkeypatch.setattr(inbound, "_send_processing_task", lambda event_id: None)  # we run the tasks here
    integration, _ = integration_with_use_case(owner.organization)
    results = post_v3(owner, integration, [v3_event(payload={"customerId": f"C-{n}"}) for n in range(3)])
    last_id = results.json()["results"][-1]["event_id"]

    claimed, release = threading.Event(), threading.Event()
    original_apply = processing._apply_batch

    def apply_after_release(event_ids):
        if threading.current_thread().name == "first":
            claimed.set()
            release.wait(timeout=20)
        return original_apply(event_ids)

    monkeypatch.setattr(processing, "_apply_batch", apply_after_release)
    errors = []

    def task():
        try:
            processing.process_events_through(last_id)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=task, name="first")
    first.start()
    wait_until(claimed.is_set, "the first task to claim its batch")
    second = threading.Thread(target=task, name="second")
    second.start()
    # the second task either waits for the first one's turn, or (the bug) re-claims and finishes on its own
    wait_until(lambda: not second.is_alive() or advisory_lock_waiters() > 0, "the second task to wait or finish")
    release.set()
    first.join(timeout=20)
    second.join(timeout=20)
    assert errors == []
    events = ErpEvent.objects.filter(integration=integration)
    assert {(e.status, e.attempts) for e in events} == {(EventStatus.PROCESSED, 1)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent database connections")
def test_a_batch_holds_the_identity_locks_of_all_its_events_until_it_commits(owner, monkeypatch):
    """A batch takes the identity locks of all its events in one statement before writing the first one. Another
    integration's event about the same customer waits for the whole batch, then updates the entity it created."""
    from entities.models import Entity

    monkeypatch.setattr(inbound, "_send_processing_task", lambda event_id: None)
    first_integration, _ = integration_with_use_case(owner.organization)
    second_integration, _ = integration_with_use_case(owner.organization, configuration={"entities": [{
        "entity_schema": "contact", "unique_ids": ["customer_number"],
        "fields": [{"attribute": "customer_number", "field": "customerId"},
                   {"attribute": "last_name", "field": "lastName"}]}]})
    batch = post_v3(owner, first_integration, [
        v3_event(payload={"customerId": "C-0", "firstName": "Ada"}),
        v3_event(payload={"customerId": "C-1", "firstName": "Ada"}),
    ]).json()["results"][-1]["event_id"]
    other = post_v3(owner, second_integration, [v3_event(payload={"customerId": "C-1", "lastName": "Lovelace"})]
                    ).json()["results"][-1]["event_id"]

    locked, release = threading.Event(), threading.Event()
    original = processing.apply_prepared

    def apply_after_release(prepared, rows, held_locks=frozenset(), *rest, **options):
        if threading.current_thread().name == "first" and not locked.is_set():
            locked.set()  # the batch holds both customers' identity locks, nothing is committed yet
            release.wait(timeout=20)
        return original(prepared, rows, held_locks, *rest, **options)

    monkeypatch.setattr(processing, "apply_prepared", apply_after_release)
    errors = []

    def task(event_id):
        try:
            processing.process_events_through(event_id)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=task, args=(batch,), name="first")
    first.start()
    wait_until(locked.is_set, "the first batch to take its locks")
    second = threading.Thread(target=task, args=(other,), name="second")
    second.start()
    wait_until(lambda: advisory_lock_waiters() > 0, "the other integration's event to wait for C-1's lock")
    assert second.is_alive()
    release.set()
    first.join(timeout=20)
    second.join(timeout=20)
    assert errors == []
    [customer] = Entity.objects.filter(organization=owner.organization, attributes__customer_number="C-1")
    assert (customer.attributes["first_name"], customer.attributes["last_name"]) == ("Ada", "Lovelace")
    assert set(ErpEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
