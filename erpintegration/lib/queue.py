"""Enqueue a Celery task by its registered name.

Services that start background work (inbound processing, outbound delivery) are themselves called by tasks
(the sweepers), so importing the task module from a service would close an import cycle
(tasks → services → tasks). Enqueueing by name keeps the dependency one-way: tasks import services, services
know only a task's name. ``signature(...).delay()`` resolves the task in the registry (the apps register their
task modules in ``AppConfig.ready``), so it honours ``CELERY_TASK_ALWAYS_EAGER`` like ``task.delay()`` does;
``send_task`` would not."""
from celery import current_app


def enqueue(task_name: str, *args) -> None:
    """Send ``task_name(*args)`` to the broker (or run it in-process when tasks are eager)."""
    current_app.signature(task_name, args=args).delay()
