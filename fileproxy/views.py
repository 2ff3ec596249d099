"""``GET /download``: public, authorised by the URL signature alone (docs/file-proxy.md)."""
from urllib.parse import quote

from django.http import JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from erpintegration.exceptions import ApplicationError

from . import services


def content_disposition(filename: str) -> str:
    """``attachment`` (never ``inline``: the ERP chooses the content type, and an HTML file rendered on our
    origin would be stored XSS), with an ASCII fallback and the RFC 5987 UTF-8 name."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@require_GET
def download(request):
    query = [(name, value) for name, values in request.GET.lists() for value in values]
    try:
        file = services.open_download(query)
    except ApplicationError as exc:
        response = JsonResponse(exc.as_body(), status=exc.status_code)
        response["Cache-Control"] = "no-store"
        return response
    response = StreamingHttpResponse(file.chunks, content_type=file.content_type)
    if file.content_length is not None:
        response["Content-Length"] = str(file.content_length)
    response["Content-Disposition"] = content_disposition(file.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
