"""Imports on REAL Celery workers (Redis + PostgreSQL, run by `.ci/run`): validate and execute run as tasks,
and a worker killed mid-import loses nothing and writes no row twice: the redelivered task resumes at the
batch that was in flight (its writes, monitoring rows and progress commit together)."""
import pytest

from entities.models import Entity
from integrations.models import ErpImport
from monitoring.models import InboundMonitoringEvent
from tests.integrations.inbound.test_worker import BROKER, IS_POSTGRES, broker_queue, wait_for  # noqa: F401

from .conftest import create, csv_bytes

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not BROKER, reason="set ERP_TEST_CELERY_BROKER_URL to run the real-worker tests"),
    pytest.mark.skipif(not IS_POSTGRES, reason="the real-worker tests need PostgreSQL (set DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]
ROWS = 5000


@pytest.fixture
def shared_storage(import_storage, monkeypatch):
    """The worker processes read the files from the same place (their settings come from the environment)."""
    monkeypatch.setenv("MEDIA_ROOT", str(import_storage.parent))
    monkeypatch.setenv("IMPORTS_BATCH_SIZE", "100")
    return import_storage


def status(import_id):
    return ErpImport.objects.filter(pk=import_id).values_list("status", flat=True).first()


def test_import_runs_on_workers_and_survives_a_killed_worker(owner, product_use_case, broker_queue,  # noqa: F811
                                                             shared_storage, settings):
    settings.IMPORTS_BATCH_SIZE = 100
    first = broker_queue()
    content = csv_bytes([f"A-{i};Product {i};{i}" for i in range(ROWS)])
    import_id = create(owner.client, content).json()["job"]["import_id"]
    owner.client.post(f"/v2/erp/imports/{import_id}:validate",
                      {"integration_id": str(product_use_case.integration_id), "use_case_slug": "products"},
                      format="json")
    wait_for(lambda: status(import_id) == "READY", "validation on the worker")
    assert owner.client.post(f"/v2/erp/imports/{import_id}:execute", format="json").status_code == 202
    wait_for(lambda: (ErpImport.objects.get(pk=import_id).progress or {}).get("processed_rows", 0) >= 300,
             "the first batches")
    assert status(import_id) == "PROCESSING"
    first.kill_pool_child()  # mid-import: the task is rejected on worker loss and redelivered
    broker_queue()  # a second worker takes over while the first one's pool restarts
    wait_for(lambda: status(import_id) == "IMPORTED", "the import to finish after the kill", timeout=120)
    assert Entity.objects.filter(organization=owner.organization, schema="product").count() == ROWS
    rows = InboundMonitoringEvent.objects.filter(correlation_id=import_id)
    assert rows.count() == ROWS  # one outcome per row: none lost, none twice
    assert ErpImport.objects.get(pk=import_id).progress == {"processed_rows": ROWS, "total_rows": ROWS}
