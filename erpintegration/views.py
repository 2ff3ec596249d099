"""Operational endpoints (health) and error pages that speak JSON on API paths."""
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from erpintegration.middleware import API_PREFIXES


def healthz(request):
    """Liveness plus a real round trip to the database; 503 when it does not answer."""
    body = {"status": "ok", "database": "ok", "database_engine": connection.vendor}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        body |= {"status": "error", "database": "unavailable", "error": str(exc.__class__.__name__)}
        return JsonResponse(body, status=503)
    return JsonResponse(body)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIXES)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "NOT_FOUND", "message": f"No such resource: {request.path}"}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
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
