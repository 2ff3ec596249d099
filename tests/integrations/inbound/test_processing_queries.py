"""The number of queries processing takes is pinned, so a change that adds queries per event shows here.

A batch of N simple events (one entity each) costs a fixed number of queries per batch (turn, claim, event and
use-case reads, the identity locks of all its events in one statement (PostgreSQL), monitoring rows, statuses)
and, written set-based, nothing per event; one by one, per event: a savepoint, one lookup that row-locks what
it finds, one INSERT or UPDATE, the release.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities.models import Entity
from integrations.inbound.services import processing
from integrations.models import ErpEvent, EventStatus
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

pytestmark = pytest.mark.django_db

# vendor -> write path -> (queries per call, queries per event). Per call: the target's lane, the turn
# (PostgreSQL: advisory lock of the lane and of a concurrency slot, their release), the claim (pending events,
# mark processing), the apply transaction (events, their organisation, use cases, identity locks, one bulk INSERT of monitoring
# rows, the correlation ids already seen, the monitoring rollup upsert, one upsert of the batch's entity sync
# states, one status UPDATE), and the final claim that finds nothing. Inside the test's transaction every atomic
# block is a savepoint (production: BEGIN/COMMIT).
# Set-based (a segment of plain upserts): per call also the segment's savepoint, one lookup and one INSERT or
# UPDATE for all its events; nothing per event. One by one: per event a savepoint, one lookup that row-locks
# what it finds, one INSERT or UPDATE, the release.
PINNED = {"postgresql": {"set_based": (27, 0), "one_by_one": (23, 4)},
          "sqlite": {"set_based": (22, 0), "one_by_one": (18, 4)}}
FIRST_USE = 0


def process(owner, integration, names):
    events = [v3_event(payload={"customerId": f"C-{n}", "firstName": name}) for n, name in enumerate(names)]
    last = post_v3(owner, integration, events).json()["results"][-1]["event_id"]
    with CaptureQueriesContext(connection) as queries:
        assert processing.process_events_through(last) == len(names)
    return queries


@pytest.mark.parametrize("count", [1, 10])
def test_a_batch_of_simple_events_takes_a_pinned_number_of_queries(owner, count, write_path):
    per_batch, per_event = PINNED[connection.vendor][write_path]
    integration, _ = integration_with_use_case(owner.organization)
    for first, names in ((True, ["Ada"] * count), (False, ["Bob"] * count)):  # creates, then updates
        queries = process(owner, integration, names)
        listing = "\n".join(q["sql"][:120] for q in queries.captured_queries)
        assert len(queries) == per_batch + per_event * count + (FIRST_USE if first else 0), listing
    assert Entity.objects.filter(organization=owner.organization, attributes__first_name="Bob").count() == count
    assert set(ErpEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    assert InboundMonitoringEvent.objects.count() == 2 * count
