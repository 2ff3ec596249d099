from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self):
        from django.conf import settings

        from .mapping import expressions

        expressions.configure(
            engine=settings.JSONATA_ENGINE,
            timeout_ms=settings.JSONATA_TIMEOUT_MS,
            max_depth=settings.JSONATA_MAX_DEPTH,
            max_sequence=settings.JSONATA_MAX_SEQUENCE,
            event_timeout_ms=settings.MAPPING_EVENT_TIMEOUT_MS,
            memory_limit_mb=settings.JSONATA_MEMORY_LIMIT_MB,
            max_output_bytes=settings.JSONATA_MAX_OUTPUT_BYTES,
            processes=settings.JSONATA_PROCESSES,
            max_value_bytes=settings.MAPPING_MAX_VALUE_BYTES,
            max_event_bytes=settings.MAPPING_MAX_EVENT_BYTES,
        )
