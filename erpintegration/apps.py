from django.apps import AppConfig


class ErpIntegrationConfig(AppConfig):
    name = "erpintegration"
    verbose_name = "Tenancy and access"

    def ready(self):
        # Imported in ready(): the module registers a drf-spectacular extension, which needs the app registry.
        from erpintegration.api import schema  # noqa: F401  (registers the OpenAPI authentication extension)
