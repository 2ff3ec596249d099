from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self):
        from django.conf import settings

        from .imports import tasks as import_tasks  # noqa: F401  registers the import tasks with Celery
        from .mapping import expressions

        expressions.configure(
            engine=settings.JSONATA_ENGINE,
            timeout_ms=settings.JSONATA_TIMEOUT_MS,
            max_depth=settings.JSONATA_MAX_DEPTH,
            max_sequence=settings.JSONATA_MAX_SEQUENCE,
            event_timeout_ms=settings.MAPPING_EVENT_TIMEOUT_MS,
        )
