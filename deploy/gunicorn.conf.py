"""gunicorn settings for `make run` and for production (container files reference this file).

gunicorn's asyncio worker (``asgi``) reads requests without giving a thread to a connection that is still
sending its headers or body, so slow clients cannot occupy the server; Django runs each request's code in a
thread of its own. Production puts a buffering reverse proxy in front as well (deploy/nginx.conf), which
also bounds how long a client may take to send its headers.

    gunicorn -c deploy/gunicorn.conf.py                       # 127.0.0.1:$PORT, one worker (make run)
    WEB_CONCURRENCY=4 BIND=0.0.0.0:8000 gunicorn -c deploy/gunicorn.conf.py     # production
"""
import os

wsgi_app = "erpintegration.asgi:application"
worker_class = "asgi"
bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "1000"))  # open connections per worker
timeout = 60
graceful_timeout = 30
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
logger_class = "erpintegration.gunicorn_logging.RedactingLogger"  # no download signatures in the log
control_socket_disable = True
# Addresses whose X-Forwarded-* headers gunicorn believes (the reverse proxy); see also TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Without a broker (the embedded default) the periodic work runs in the server process."""
    from integrations import embedded_schedule

    embedded_schedule.start()


# The first-start banner (the admin password) below the start-up output, and prometheus-client's
# multi-process clean-up when a worker exits: gunicorn hooks shared with `erpintegration serve`.
from erpintegration.gunicorn_conf import child_exit, when_ready  # noqa: E402,F401
