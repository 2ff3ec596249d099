"""The ASGI entry point: gunicorn's asyncio worker parses requests without giving a thread to a half-sent one
(slow clients cannot occupy the server); Django runs each request's sync code in its own thread."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpintegration.settings")
application = get_asgi_application()
