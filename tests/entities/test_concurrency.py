"""Two events upserting the same identity at the same time create one entity (PostgreSQL advisory locks)."""
import threading

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
