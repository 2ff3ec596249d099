"""``GET /metrics``: Prometheus exposition of the in-process metrics (``monitoring.metrics``) and the
database-derived ones (``integrations.telemetry.metrics``). Open like ``/healthz`` unless ``METRICS_TOKEN`` is set;
then it needs ``Authorization: Bearer <METRICS_TOKEN>``."""
import hmac

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from integrations.telemetry.metrics import DatabaseCollector
from monitoring.metrics import exposition_registry


def _authorised(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        return True
    given = request.META.get("HTTP_AUTHORIZATION", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@require_GET
def metrics(request):
    if not _authorised(request):
        return JsonResponse({"code": "UNAUTHORIZED", "message": "Send Authorization: Bearer <METRICS_TOKEN>"}, status=401)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    body = generate_latest(exposition_registry()) + generate_latest(database)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
