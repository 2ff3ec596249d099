"""Prometheus metrics measured in-process: request latency.

With several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, wiped at start): every
process writes its samples there and ``/metrics`` adds them up (prometheus-client's multiprocess mode;
``erpintegration/gunicorn_conf.py`` marks exited workers). Counts that live in the database (events,
deliveries, queue lag, JSONata timeouts) are read at scrape time instead (``integrations.telemetry.metrics``), so they
are right whatever the number of web and worker processes.
"""
from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Histogram, multiprocess

REQUEST_LATENCY = Histogram(
    "erp_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route and status class.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def observe_request(method: str, route: str, status_code: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(method=method, route=route, status=f"{status_code // 100}xx").observe(seconds)


def exposition_registry() -> CollectorRegistry:
    """The registry to expose: every process's samples in multiprocess mode, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY
