# erpintegration: the web process (gunicorn), also used for the Celery worker and beat (see compose.yaml).
# Build: docker build -t erpintegration .      Run everything: docker compose up
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ERPINTEGRATION_VAR_DIR=/var/lib/erpintegration \
    STATIC_ROOT=/app/staticfiles \
    BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus

WORKDIR /app

# Dependencies first (a layer that changes only with pyproject.toml), then the source, installed editable so
# templates/ and static/ are found next to the code.
COPY pyproject.toml README.md ./
RUN mkdir -p erpintegration integrations entities monitoring fileproxy \
    && pip install --no-compile . && pip uninstall -y erpintegration
COPY . .
RUN pip install --no-deps --no-compile -e . \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0

# Never as root: a system user owning only its state directory.
RUN useradd --system --uid 10001 --home-dir /var/lib/erpintegration erp \
    && mkdir -p /var/lib/erpintegration /tmp/prometheus \
    && chown -R erp /var/lib/erpintegration /tmp/prometheus
USER erp

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz/live', timeout=4).status == 200 else 1)"
CMD ["erpintegration", "serve", "--migrate"]
