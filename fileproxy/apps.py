from django.apps import AppConfig


class FileproxyConfig(AppConfig):
    name = "fileproxy"
