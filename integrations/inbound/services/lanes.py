"""Lanes: who may apply which inbound events at the same time (docs/inbound.md, lanes; C14 in
docs/contract-versions.md).

An integration's events are split into lanes by ``group_id`` ("" is the default lane of ungrouped events).
A lane is applied by one worker at a time, in sequence order; different lanes run in parallel, at most
``MAX_CONCURRENT_LANES`` of one integration at once (more distinct groups give no extra parallelism).

PostgreSQL: the lane's turn is a session advisory lock (released when the worker's connection dies, so a
killed worker blocks no one); the integration's concurrency is 20 further advisory locks ("slots"), taken
after the turn. Elsewhere (the embedded SQLite default runs tasks in one process) in-process locks.
"""
from __future__ import annotations

import threading
import zlib
from contextlib import contextmanager

from django.db import connections

from integrations.models import ErpEvent

MAX_CONCURRENT_LANES = 20
TURN_LOCK_CLASS = 7_340_117  # two-int4 advisory-lock space of lane turns
_SLOT_BITS = 5  # bigint advisory locks (a separate key space): integration hash * 32 + slot

_local_turns = [threading.Lock() for _ in range(64)]
_local_slots: dict[str, threading.BoundedSemaphore] = {}
_local_slots_guard = threading.Lock()


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


def lane_key(integration_id, group_id: str) -> int:
    """int4 key of a lane; a collision only serialises two lanes."""
    return _crc(f"{integration_id}\x00{group_id}") - 2**31


@contextmanager
def lane_turn(integration_id, group_id: str):
    """Hold the lane's turn and one of its integration's concurrency slots from the first claim to the last
    apply. Between a claim and its apply transaction nothing else guards the lane: without the turn, tasks
    queued on it (a burst of requests) would re-claim the batch one after another, each counting an attempt."""
    connection = connections[ErpEvent.objects.db]
    if connection.vendor != "postgresql":
        with _local_turns[lane_key(integration_id, group_id) % len(_local_turns)], _local_slot(integration_id):
            yield
        return
    key = lane_key(integration_id, group_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [TURN_LOCK_CLASS, key])
        try:
            slot = _take_slot(cursor, integration_id, group_id)
            try:
                yield
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [slot])
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [TURN_LOCK_CLASS, key])


def _take_slot(cursor, integration_id, group_id: str) -> int:
    """One of the integration's slots: the first free one from the lane's preferred slot on; when all are
    taken, wait for the preferred one. A holder never waits for a turn while holding a slot (the turn is
    always taken first), so this cannot deadlock."""
    base = (_crc(str(integration_id)) & 0x3FFFFFF) << _SLOT_BITS
    preferred = _crc(group_id) % MAX_CONCURRENT_LANES
    order = [(preferred + i) % MAX_CONCURRENT_LANES for i in range(MAX_CONCURRENT_LANES)]
    keys = [base + slot for slot in order]
    # No ORDER BY: the scan yields the array in order and LIMIT stops at the first lock taken (sorting would
    # evaluate, and so take, every free slot).
    cursor.execute("SELECT k FROM unnest(%s::bigint[]) AS s(k) WHERE pg_try_advisory_lock(k) LIMIT 1", [keys])
    row = cursor.fetchone()
    if row is not None:
        return row[0]
    cursor.execute("SELECT pg_advisory_lock(%s)", [keys[0]])
    return keys[0]


@contextmanager
def _local_slot(integration_id):
    with _local_slots_guard:
        semaphore = _local_slots.setdefault(str(integration_id), threading.BoundedSemaphore(MAX_CONCURRENT_LANES))
    with semaphore:
        yield
