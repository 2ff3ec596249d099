"""Operational endpoints (health) and error pages that speak JSON on API paths."""
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from erpintegration import health
from erpintegration.middleware import API_PREFIXES


def _database_error() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return exc.__class__.__name__
    return None


def healthz(request):
    """The whole picture: database round trip, broker, a worker answering; 503 when any of them is down
    (``status`` says which: ``error`` for the database, ``degraded`` for broker or worker)."""
    body = {"status": "ok", "database": "ok", "database_engine": connection.vendor}
    error = _database_error()
    if error:
        body |= {"status": "error", "database": "unavailable", "error": error}
    body["broker"] = health.broker_status()
    body |= health.workers() if body["broker"] != "unavailable" else {"worker": "unknown", "workers": []}
    if body["status"] == "ok" and (body["broker"] == "unavailable" or body["worker"] in ("none", "unknown")):
        body["status"] = "degraded"
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)


def healthz_live(request):
    """Liveness: the process answers (no dependency is checked, so a database outage restarts nothing)."""
    return JsonResponse({"status": "ok"})


def healthz_ready(request):
    """Readiness: this process can serve requests: the database answers and, with a broker, the broker is
    reachable (events are stored before the 2xx and wait for a worker, so no worker is needed to be ready)."""
    error = _database_error()
    broker = health.broker_status()
    ready = error is None and broker != "unavailable"
    body = {"status": "ok" if ready else "error", "database": "unavailable" if error else "ok", "broker": broker}
    return JsonResponse(body, status=200 if ready else 503)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIXES)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "NOT_FOUND", "message": f"No such resource: {request.path}"}, status=404)
    return render(request, "errors/404.html", status=404)


DATABASE_RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "The database is unavailable; try again shortly"


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After when the database cannot be reached (a 500 would say the request was at fault)."""
    if _is_api(request):
        response = JsonResponse({"code": "SERVICE_UNAVAILABLE", "message": UNAVAILABLE_MESSAGE}, status=503)
    else:
        response = HttpResponse(f"<!doctype html><title>Unavailable</title><h1>Service unavailable</h1>"
                                f"<p>{UNAVAILABLE_MESSAGE}.</p>", status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    # called while the exception is being handled: a lost database (anywhere, middleware included) is a 503
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    if _is_api(request):
        return JsonResponse({"code": "INTERNAL_ERROR", "message": "Internal server error"}, status=500)
    return render(request, "errors/500.html", status=500)


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "BAD_REQUEST", "message": "Bad request"}, status=400)
    return render(request, "errors/400.html", status=400)


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token (often: the page was open across a log-in or restart)."""
    if _is_api(request):
        return JsonResponse({"code": "CSRF_FAILED", "message": f"CSRF verification failed: {reason}"}, status=403)
    message = "This form has expired or was sent from elsewhere. Reload the page and try again."
    return render(request, "errors/403.html", {"message": message}, status=403)
