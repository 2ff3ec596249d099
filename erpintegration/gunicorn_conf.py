"""gunicorn settings used by ``make run`` and ``erpintegration serve``: repeat the first-start banner (the
admin password) once the server is ready, below the start-up output, then forget it; and, when
``PROMETHEUS_MULTIPROC_DIR`` is set, tell prometheus-client that a worker is gone."""
import os
from pathlib import Path

from prometheus_client import multiprocess

BANNER = Path(os.environ.get("ERPINTEGRATION_VAR_DIR", Path(__file__).resolve().parent.parent / "var")) / "first-start.txt"


def when_ready(server):
    if BANNER.exists():
        print(BANNER.read_text(), flush=True)  # noqa: T201 - this is the start-up output
        BANNER.unlink(missing_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
