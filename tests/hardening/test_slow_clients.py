"""Issue 10.4: slow clients do not take the server down: the embedded default (`make run`'s gunicorn
settings, one worker) keeps answering with 32 slow-header connections open, the production shape (the
same settings with more workers) with 200. Runs the real server and bench/slow_clients.py."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.slow_clients import probe

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    processes = []

    def start(workers: int) -> str:
        port = free_port()
        env = {**os.environ, "ERPINTEGRATION_VAR_DIR": str(tmp_path), "PORT": str(port),
               "WEB_CONCURRENCY": str(workers), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        url = f"http://127.0.0.1:{port}/healthz"
        for _ in range(150):
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return url
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def test_the_embedded_default_answers_with_32_slow_clients_open(server):
    assert probe(server(1), slow=32, seconds=4, interval=0.5, timeout=5)


def test_the_production_shape_answers_with_200_slow_clients_open(server):
    assert probe(server(2), slow=200, seconds=4, interval=0.5, timeout=5)
