"""Two events upserting the same identity at the same time create one entity (PostgreSQL advisory locks)."""
import threading
import time

import pytest
from django.db import connection, connections

from entities.models import Entity
from tests.entities.helpers import apply, contact
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL only")
@pytest.mark.parametrize("batch", [False, True])
def test_concurrent_upserts_of_one_identity_create_one_entity(batch):
    org = OrganizationFactory()
    start = threading.Barrier(4)
    errors = []

    def worker(n):
        try:
            start.wait()
            updates = [contact({"customer_number": "C-1"}, {"customer_number": "C-1", f"w{n}": n})]
            if batch:
                updates.append(contact({"customer_number": f"other-{n}"}))
            apply(org, *updates, event_id=f"e{n}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    entity = Entity.objects.get(organization=org, attributes__customer_number="C-1")
    assert {k for k in entity.attributes if k.startswith("w")} == {"w0", "w1", "w2", "w3"}


def lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent database connections")
def test_concurrent_relation_refs_to_one_existing_entity_keep_both_values(monkeypatch):
    """Two events (e.g. of two integrations) append an address to the same existing contact at the same time;
    the read-modify-write of its repeatable attribute must not lose one of them."""
    from entities.services import operations, relations

    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}))
    paused, resume = threading.Event(), threading.Event()
    original = operations.write_repeatable_items

    def write_after_pause(op, values, stored):
        if threading.current_thread().name == "first":
            paused.set()
            resume.wait(timeout=20)
        return original(op, values, stored)

    monkeypatch.setattr(relations, "write_repeatable_items", write_after_pause)
    errors = []

    def event(street):
        try:
            spec = {"attribute": "address", "operation": "_append", "value": {"street": street}}
            item = {"$entity_unique_ids": {"customer_number": "C-1"}, "_schema": "contact", "path": "address",
                    "value": spec}
            apply(org, contact({"k": street}, {"k": street, "billing": {"$relation_ref": {"_set": [item]}}},
                               schema="contract"), event_id=street)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=event, args=("S1",), name="first")
    first.start()
    assert paused.wait(timeout=20)
    second = threading.Thread(target=event, args=("S2",), name="second")
    second.start()
    # the second event finishes on its own (the bug) or waits for a lock the first one holds
    deadline = time.monotonic() + 20
    while second.is_alive() and not lock_waiters():
        assert time.monotonic() < deadline, "the second event neither finished nor waited"
        time.sleep(0.02)
    resume.set()
    first.join(timeout=20)
    second.join(timeout=20)
    assert errors == []
    stored = Entity.objects.get(organization=org, schema="contact").attributes["address"]
    assert sorted(item["street"] for item in stored) == ["S1", "S2"]


def race_with_first_paused(monkeypatch, module, org, first_updates, second_updates):
    """Apply ``first_updates`` on a thread paused inside ``module.build_attributes`` (after its lookup),
    start ``second_updates`` meanwhile, let the first go once the second finished or waits on a lock."""
    paused, resume = threading.Event(), threading.Event()
    original = module.build_attributes

    def build_after_pause(*args, **kwargs):
        if threading.current_thread().name == "first":
            paused.set()
            resume.wait(timeout=20)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "build_attributes", build_after_pause)
    errors = []

    def event(updates):
        try:
            apply(org, *updates)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=event, args=(first_updates,), name="first")
    first.start()
    assert paused.wait(timeout=20)
    second = threading.Thread(target=event, args=(second_updates,), name="second")
    second.start()
    deadline = time.monotonic() + 20
    while second.is_alive() and not lock_waiters():
        assert time.monotonic() < deadline, "the second event neither finished nor waited"
        time.sleep(0.02)
    resume.set()
    first.join(timeout=20)
    second.join(timeout=20)
    assert errors == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent database connections")
def test_concurrent_patches_through_different_identifiers_keep_both_attributes(monkeypatch):
    """Two integrations patch the same contact at the same time, one by customer number, one by email (so
    their identity locks differ): the top-level merge must not drop the other one's attribute."""
    from entities.services import batch
    from entities.services import upsert as entity_writes

    from .helpers import WRITE_PATH

    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "email": [{"email": "a@b.c"}]}))
    module = batch if WRITE_PATH["mode"] == "set_based" else entity_writes  # where the write path merges
    race_with_first_paused(monkeypatch, module, org,
                           [contact({"customer_number": "C-1"}, {"first_name": "Ada"})],
                           [contact({"email.email": "a@b.c"}, {"iban": "DE00"})])
    attributes = Entity.objects.get(organization=org, schema="contact").attributes
    assert (attributes.get("first_name"), attributes.get("iban")) == ("Ada", "DE00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent database connections")
def test_batched_upserts_keep_a_concurrent_patch_through_another_identifier(monkeypatch):
    """The bulk path for runs of plain upserts must lock what it read, like the single path: another event
    patching the same contact by email (another identity lock) meanwhile must not lose its attribute."""
    from entities.services import batch

    org = OrganizationFactory()
    apply(org, contact({"customer_number": "C-1"}, {"customer_number": "C-1", "email": [{"email": "a@b.c"}]}))
    run = [contact({"customer_number": f"C-{n}"}, {"customer_number": f"C-{n}", "first_name": f"N{n}"})
           for n in range(1, 1 + max(batch.MIN_BATCH, 2))]
    race_with_first_paused(monkeypatch, batch, org, run, [contact({"email.email": "a@b.c"}, {"iban": "DE00"})])
    attributes = Entity.objects.get(organization=org, schema="contact", attributes__customer_number="C-1").attributes
    assert (attributes.get("first_name"), attributes.get("iban")) == ("N1", "DE00")
