from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self):
        # Imports inside ready(): Django forbids importing models and settings-dependent modules before the
        # app registry is ready, and this is the hook it gives for start-up wiring.
        from django.conf import settings

        from entities import links
        from integrations.imports import tasks as import_tasks  # noqa: F401  registers the import tasks
        from integrations.inbound import browser
        from integrations.inbound import tasks as inbound_tasks  # noqa: F401  registers the inbound tasks
        from integrations.mapping import jsonata
        from integrations.outbound import tasks as outbound_tasks  # noqa: F401  registers the outbound tasks

        jsonata.configure(
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
        # The entity pages link an entity to the event that last changed it; entities sits below
        # integrations, so integrations hands it the link builder instead of entities importing upward.
        links.register_event_link(browser.event_url)
