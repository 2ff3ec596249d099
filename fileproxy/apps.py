from django.apps import AppConfig


class FileproxyConfig(AppConfig):
    name = "fileproxy"

    def ready(self):
        # Registers the upload task, which outbound planning enqueues by name (integrations never imports
        # fileproxy); Django's start-up hook is the place for it.
        from fileproxy import tasks  # noqa: F401
