"""Request telemetry: the latency histogram and the log context of each request.

Placed right after ``AccessLogMiddleware`` (which assigns ``request.request_id``). The route label is the
URL pattern (``v1/integrations/<str:integration_id>``), never the raw path, so the label set stays small.
"""
from __future__ import annotations

import logging
from time import perf_counter

from erpintegration import logcontext
from monitoring import metrics

logger = logging.getLogger(__name__)


class RequestTelemetryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = perf_counter()
        # Bound, not scoped: Django logs the response (django.request) after the middleware chain returns.
        # The next request on this thread replaces it.
        logcontext.clear()
        logcontext.bind(request=request)
        response = self.get_response(request)
        try:
            match = getattr(request, "resolver_match", None)
            route = match.route if match is not None and match.route else "unmatched"
            metrics.observe_request(request.method or "", route, response.status_code, perf_counter() - started)
        except Exception:  # noqa: BLE001 - telemetry never breaks a request
            logger.exception("telemetry: could not observe %s %s", request.method, request.path)
        return response
