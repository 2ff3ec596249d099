"""End to end with REAL Celery worker processes on Redis and PostgreSQL (run by `.ci/run`).

Skipped unless ERP_TEST_CELERY_BROKER_URL is set and the database is PostgreSQL. The workers use the test
database (its name is passed in DATABASE_URL) and a queue private to this run, so nothing else interferes.
"""
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection, connections

from entities.models import Entity
from integrations.inbound.services.accept import sweep_stale_events
from integrations.models import ErpEvent, EventStatus
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.helpers import integration_with_use_case, post_v3, v3_event

BROKER = os.environ.get("ERP_TEST_CELERY_BROKER_URL", "")
IS_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
ROOT = Path(__file__).resolve().parents[3]
WAIT_SECONDS = 60

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not BROKER, reason="set ERP_TEST_CELERY_BROKER_URL=redis://127.0.0.1:6379/<db> to run "
                       "the real-worker tests (.ci/run does)"),
    pytest.mark.skipif(not IS_POSTGRES, reason="the real-worker tests need PostgreSQL (set DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def wait_for(predicate, what: str, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _parent_pid(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


class Worker:
    """A `celery -A erpintegration worker` subprocess in its own process group (so SIGKILL takes all)."""

    def __init__(self, queue: str, log_dir: Path):
        self.queue = queue
        self.log_path = log_dir / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict:
        url = urlsplit(os.environ["DATABASE_URL"])
        test_db = connection.settings_dict["NAME"]
        env = dict(os.environ)
        env.update(
            DATABASE_URL=urlunsplit(url._replace(path=f"/{test_db}")),
            CELERY_BROKER_URL=BROKER,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            DJANGO_SETTINGS_MODULE="erpintegration.settings",
            PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> "Worker":
        command = [
            sys.executable, "-m", "celery", "-A", "erpintegration", "worker", "--pool=prefork",
            "--concurrency=1", "--loglevel=INFO", "-Q", self.queue, "-n", f"{self.queue}-{uuid.uuid4().hex[:4]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.environment(), stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: "ready." in self.log_path.read_text() or self.process.poll() is not None, "worker ready")
        assert self.process.poll() is None, f"worker exited: {self.log_path.read_text()[-3000:]}"
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children): no cleanup, no ack."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()

    def kill_pool_child(self) -> None:
        """SIGKILL only the pool process running the task; the worker's main process lives on."""
        children = [
            int(stat.parent.name)
            for stat in Path("/proc").glob("[0-9]*/stat")
            if _parent_pid(stat) == self.process.pid
        ]
        assert children, "the worker has no pool process"
        for pid in children:
            os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if not self.log.closed:
            self.log.close()


def reset_producer(app) -> None:
    """Forget the cached router, queues and producer pool so the next send uses the current configuration."""
    app.__dict__.pop("amqp", None)
    app._pool = None


@pytest.fixture
def broker_queue(tmp_path):
    """Point this process's Celery producer at the broker and a private queue (tasks are eager otherwise)."""
    from erpintegration.celery import app

    queue = f"inbound-test-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
    reset_producer(app)
    workers: list[Worker] = []

    def start_worker() -> Worker:
        worker = Worker(queue, tmp_path).start()
        workers.append(worker)
        return worker

    yield start_worker
    for worker in workers:
        worker.stop()
    app.conf.update(saved)
    reset_producer(app)
    with app.connection_for_write(BROKER) as conn:  # drop leftovers of this run's private queue
        conn.default_channel.queue_delete(queue)
    import redis

    client = redis.Redis.from_url(BROKER)
    # a killed worker's message sits in kombu's "unacked" hash until its visibility timeout: drop ours
    for tag, raw in client.hgetall("unacked").items():
        if raw.decode(errors="replace").rstrip().endswith(f'"{queue}"]'):
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def processed(event_ids) -> bool:
    return ErpEvent.objects.filter(pk__in=event_ids, status=EventStatus.PROCESSED).count() == len(event_ids)


@contextmanager
def monitoring_inserts_blocked():
    """Hold a lock that makes the worker wait inside its processing transaction (entities already written,
    not committed), and yield a probe telling whether a worker is waiting on it."""
    import psycopg

    blocker = psycopg.connect(**connection.get_connection_params())
    try:
        blocker.execute("LOCK TABLE monitoring_monitoringevent IN EXCLUSIVE MODE")

        def worker_is_waiting():
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted "
                    "AND relation = 'monitoring_monitoringevent'::regclass"
                )
                return cursor.fetchone()[0] > 0

        yield worker_is_waiting
    finally:
        blocker.rollback()
        blocker.close()


def test_posted_events_become_entities_with_monitoring_rows(owner, broker_queue):
    broker_queue()
    integration, use_case = integration_with_use_case(owner.organization)
    events = [v3_event(payload={"customerId": f"C-{n % 10}", "firstName": f"Name {n}"}) for n in range(40)]
    response = post_v3(owner, integration, events, correlation_id="worker-run")
    assert response.status_code == 200
    ids = [r["event_id"] for r in response.json()["results"]]
    assert all(r["status"] == "success" for r in response.json()["results"])
    wait_for(lambda: processed(ids), "40 events processed by the worker")
    entities = Entity.objects.filter(organization=owner.organization, schema="contact")
    assert entities.count() == 10
    # strict order: the last event for each customer wins
    assert entities.get(attributes__customer_number="C-3").attributes["first_name"] == "Name 33"
    rows = InboundMonitoringEvent.objects.filter(integration_id=str(integration.id), correlation_id="worker-run")
    assert rows.count() == 40 and set(rows.values_list("v1_status", flat=True)) == {"success"}
    assert set(rows.values_list("use_case_id", flat=True)) == {str(use_case.id)}


def test_worker_killed_mid_processing_applies_the_event_exactly_once(owner, broker_queue):
    worker = broker_queue()
    integration, _ = integration_with_use_case(owner.organization)
    with monitoring_inserts_blocked() as worker_is_waiting:
        [result] = post_v3(owner, integration, [v3_event()]).json()["results"]
        event_id = result["event_id"]
        wait_for(worker_is_waiting, "the worker to be blocked inside its processing transaction")
        worker.kill()

    event = ErpEvent.objects.get(pk=event_id)
    assert event.status == EventStatus.PROCESSING and event.attempts == 1  # claimed, never finished
    assert not Entity.objects.filter(organization=owner.organization).exists()  # rolled back with the worker

    broker_queue()  # restart
    assert sweep_stale_events(timedelta(0)) == 1
    wait_for(lambda: processed([event_id]), "the swept event to be processed after the restart")
    assert Entity.objects.filter(organization=owner.organization, schema="contact").count() == 1
    assert InboundMonitoringEvent.objects.filter(event_id=event_id).count() == 1
    assert ErpEvent.objects.get(pk=event_id).attempts == 2
    # sweeping again (or a late redelivery of the lost message) changes nothing: processing is idempotent
    sweep_stale_events(timedelta(0))
    from integrations.inbound.services.processing import process_events_through

    assert process_events_through(event_id) == 0
    assert InboundMonitoringEvent.objects.filter(event_id=event_id).count() == 1


def test_pool_process_killed_mid_processing_is_redelivered_and_applied_once(owner, broker_queue):
    """acks_late + reject_on_worker_lost: the message goes back to the queue without any sweeper."""
    worker = broker_queue()
    integration, _ = integration_with_use_case(owner.organization)
    with monitoring_inserts_blocked() as worker_is_waiting:
        [result] = post_v3(owner, integration, [v3_event()]).json()["results"]
        wait_for(worker_is_waiting, "the worker to be blocked inside its processing transaction")
        worker.kill_pool_child()
    event_id = result["event_id"]
    wait_for(lambda: processed([event_id]), "the redelivered task to process the event")
    assert ErpEvent.objects.get(pk=event_id).attempts == 2
    assert Entity.objects.filter(organization=owner.organization, schema="contact").count() == 1
    assert InboundMonitoringEvent.objects.filter(event_id=event_id).count() == 1


def test_concurrent_requests_with_one_deduplication_id_store_one_event(owner, broker_queue):
    broker_queue()
    integration, _ = integration_with_use_case(owner.organization)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    results: list[dict] = []
    lock = threading.Lock()

    def send():
        from rest_framework.test import APIClient

        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner.token}")
            body = {"integration_id": str(integration.id), "events": [v3_event(deduplication_id="race-1")]}
            barrier.wait(timeout=30)
            response = client.post("/v3/erp/updates/events", body, format="json")
            with lock:
                results.append(response.json()["results"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    assert len(results) == threads_count
    statuses = sorted(r["status"] for r in results)
    assert statuses == ["skipped"] * (threads_count - 1) + ["success"]
    assert len({r["event_id"] for r in results}) == 1  # the duplicates point at the stored event
    [event] = ErpEvent.objects.filter(integration=integration)
    wait_for(lambda: processed([event.id]), "the single event to be processed")
    assert Entity.objects.filter(organization=owner.organization, schema="contact").count() == 1
    assert InboundMonitoringEvent.objects.filter(event_id=str(event.id)).count() == 1


def test_healthz_sees_a_worker(client, broker_queue):
    """Issue 15: /healthz reports whether a worker answers (503 "degraded" without one)."""
    from erpintegration import health

    health.forget()
    before = client.get("/healthz")
    if before.json()["worker"] == "none":  # another run's worker on this broker would answer too
        assert before.status_code == 503 and before.json()["status"] == "degraded"
    worker = broker_queue()
    health.forget()
    body = client.get("/healthz").json()
    assert body["broker"] == "ok" and body["worker"] == "alive", body
    assert any(name.startswith(worker.queue) for name in body["workers"])
    assert body["status"] == "ok"
