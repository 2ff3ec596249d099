"""ERP import throughput and worker memory on PostgreSQL with a real Celery worker. Prints figures.

Target (issue 17, 2-core machine): >= 2,000 rows/s executed, and a worker whose memory stays flat (the file
is streamed, never loaded whole).

    .venv/bin/python bench/imports.py [--rows 100000] [--pg postgres://postgres@127.0.0.1:5432/imports_bench] \
        [--broker redis://127.0.0.1:6379/1]

Only a database whose name ends in ``bench`` is touched: it is recreated, used and dropped. The worker runs
with concurrency 1; its resident memory (main process + pool child) is sampled every 0.2 s.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PRODUCTS = {"entities": [{
    "entity_schema": "product", "unique_ids": ["code"],
    "fields": [{"attribute": "code", "field": "Article No"},
               {"attribute": "name", "jsonataExpression": "$trim(`Product Name`)"},
               {"attribute": "price", "jsonataExpression": "$number($replace(Price, ',', '.'))"},
               {"attribute": "unit", "field": "Unit"}],
}]}


def rss_kb(pid: int) -> int:
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == pid or int(fields[1]) == pid:
                total += int((stat.parent / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/imports_bench")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/1")
    args = parser.parse_args()
    name = urlsplit(args.pg).path.lstrip("/")
    if not name.endswith("bench"):
        sys.exit("refusing: the database name must end in 'bench'")
    media = tempfile.mkdtemp(prefix="imports-bench-")
    queue = f"imports-bench-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, DATABASE_URL=args.pg, CELERY_BROKER_URL=args.broker, MEDIA_ROOT=media,
               CELERY_TASK_DEFAULT_QUEUE=queue, DJANGO_SETTINGS_MODULE="erpintegration.settings")
    os.environ.update(env)
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from entities.models import Entity
    from erpintegration.tenancy import get_or_create_organization
    from integrations.imports.services import dispatch, jobs, runs, storage
    from integrations.imports.tasks import execute_import, validate_import
    from integrations.models import ErpImport, Integration, UseCase

    call_command("migrate", verbosity=0)
    org = get_or_create_organization("bench")
    integration = Integration.objects.create(organization=org, name="Bench")
    UseCase.objects.create(organization=org, integration=integration, name="Products", slug="products",
                           type="inbound", configuration=PRODUCTS)
    lines = ["Article No;Product Name;Price;Unit"] + [f"A-{i}; Product {i} ;{i % 997},{i % 100:02d};kWh"
                                                     for i in range(args.rows)]
    content = ("\n".join(lines) + "\n").encode()
    reference = storage.save_upload(org, SimpleUploadedFile("bench.csv", content))
    job, _, _ = jobs.create_or_repoint(org, reference)

    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "erpintegration", "worker", "--pool=prefork",
                               "--concurrency=1", "-Q", queue, "--loglevel=WARNING", "--without-gossip",
                               "--without-mingle", "--without-heartbeat"], cwd=ROOT, env=env)
    samples: list[int] = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(rss_kb(worker.pid))
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    try:
        time.sleep(3)
        figures = {}
        for phase, done_status in (("validate", "READY"), ("execute", "IMPORTED")):
            before = len(samples)
            started = time.monotonic()
            from django.db import transaction

            with transaction.atomic():
                if phase == "validate":
                    job = jobs.start_validation(org, job.id, str(integration.id), "products")
                    dispatch.start(validate_import, job.id, job.run_token)
                else:
                    job = jobs.start_execution(org, job.id, ack_warnings=True,
                                               current_fingerprint=runs.mapping_fingerprint)
                    dispatch.start(execute_import, job.id, job.run_token)
            while ErpImport.objects.get(pk=job.id).status not in (done_status, "FAILED"):
                time.sleep(0.1)
            elapsed = time.monotonic() - started
            phase_samples = samples[before:] or samples[-1:]
            figures[phase] = (elapsed, min(phase_samples), max(phase_samples))
        load = os.getloadavg()[0]
        assert Entity.objects.filter(organization=org).count() == args.rows
        print(f"rows: {args.rows:,}  file: {len(content) / 1e6:.1f} MB  load average: {load:.2f} (2 cores)")
        for phase, (elapsed, low, high) in figures.items():
            print(f"{phase:9s} {args.rows / elapsed:8,.0f} rows/s  ({elapsed:.1f} s)   "
                  f"worker RSS {low / 1024:.0f}-{high / 1024:.0f} MB")
        print("target: >= 2,000 rows/s executed; worker memory flat (no growth with the file's size)")
    finally:
        stop.set()
        worker.terminate()
        worker.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False)


if __name__ == "__main__":
    main()
