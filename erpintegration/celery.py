"""The Celery application; configuration is read from Django settings (CELERY_*)."""
import os

from celery import Celery
from celery.signals import task_prerun

from erpintegration import logcontext

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erpintegration.settings")

app = Celery("erpintegration")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _fresh_log_context(task=None, **kwargs):
    """A worker thread runs task after task: each starts without the previous one's log context (an eager
    task inside a request keeps the request's)."""
    if task is not None and not getattr(task.request, "is_eager", False):
        logcontext.clear()
