"""Reject oversized API bodies up front with a JSON 413 instead of Django's HTML 400, and chunked bodies
(which Django would read as empty) with 411."""
import json

from django.conf import settings
from django.http import HttpResponse

API_PREFIXES = ("/v1/", "/v2/", "/v3/")


def json_error(status: int, code: str, message: str) -> HttpResponse:
    return HttpResponse(
        json.dumps({"code": code, "message": message}), status=status, content_type="application/json"
    )


class ApiBodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and \
                not request.META.get("CONTENT_LENGTH"):
            # Django reads a body by its Content-Length: a chunked one would silently arrive empty
            message = "Chunked request bodies are not supported: send a Content-Length"
            if request.path.startswith(API_PREFIXES):
                return json_error(411, "LENGTH_REQUIRED", message)
            return HttpResponse(message, status=411, content_type="text/plain")
        if request.path.startswith(API_PREFIXES):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return json_error(400, "MALFORMED_REQUEST", "Invalid Content-Length header")
            if length > settings.API_MAX_BODY_BYTES:
                return json_error(
                    413, "PAYLOAD_TOO_LARGE", f"Request body exceeds {settings.API_MAX_BODY_BYTES} bytes"
                )
        return self.get_response(request)
