"""Replay every event matching a filter as a background job with progress (not only the visible page).

The job snapshots the matching events when it starts (oldest first, so replays keep the original order),
replays them in chunks through ``inbound.replay_events`` and counts progress after each chunk, so a page
can poll it. On the embedded default (Celery eager) the job runs on a background thread of the web
process, so the request answers at once and the page shows the bar moving; with a broker it is a task.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from erpintegration.exceptions import NotFound
from erpintegration.lib.ids import parse_uuid
from integrations.inbound import queue
from integrations.inbound.filters import EventCriteria, matching_events
from integrations.inbound.services import accept as inbound
from integrations.models import Integration, ReplayJob, ReplayJobStatus

log = logging.getLogger(__name__)
CHUNK = 100


def start_replay_job(org, integration: Integration, criteria: EventCriteria, actor: str = "", *,
                     dispatch: bool = True) -> ReplayJob:
    """Record the job and hand it to a worker (``dispatch=False``: the caller runs it, e.g. the command)."""
    job = ReplayJob.objects.create(
        organization=org, integration=integration, criteria=criteria.as_json(), created_by=actor,
        total=matching_events(integration, criteria).count(),
    )
    if dispatch:
        transaction.on_commit(lambda: _dispatch(str(job.pk)))
    return job


def _dispatch(job_id: str) -> None:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        threading.Thread(target=_run_in_thread, args=(job_id,), name=f"replay-{job_id[:8]}", daemon=True).start()
        return
    queue.send_replay_job(job_id)  # by task name: the task module imports this one


def _run_in_thread(job_id: str) -> None:
    try:
        run_replay_job(job_id)
    finally:
        connection.close()


def get_job(org, integration: Integration, job_id) -> ReplayJob:
    pk = parse_uuid(job_id)
    job = ReplayJob.objects.filter(organization=org, integration=integration, pk=pk).first() if pk else None
    if job is None:
        raise NotFound(f"Replay job {job_id} not found")
    return job


def run_replay_job(job_id: str, on_progress: Callable[[ReplayJob], None] | None = None) -> ReplayJob | None:
    """Replay the job's events chunk by chunk; a job already running or finished is left alone."""
    claimed = ReplayJob.objects.filter(pk=job_id, status=ReplayJobStatus.QUEUED).update(
        status=ReplayJobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ReplayJob.objects.select_related("integration", "organization").get(pk=job_id)
    try:
        criteria = EventCriteria.from_json(job.criteria)
        ids = [str(pk) for pk in matching_events(job.integration, criteria).order_by("received_at", "id")
               .values_list("pk", flat=True)]
        ReplayJob.objects.filter(pk=job.pk).update(total=len(ids))
        job.total = len(ids)
        for start in range(0, len(ids), CHUNK):
            outcomes = inbound.replay_events(job.organization, job.integration_id, ids[start:start + CHUNK])
            replayed = sum(1 for outcome in outcomes if outcome.status == "queued")
            failed = sum(1 for outcome in outcomes if outcome.status in ("error", "not_found"))
            ReplayJob.objects.filter(pk=job.pk).update(
                done=F("done") + len(outcomes), replayed=F("replayed") + replayed, errors=F("errors") + failed,
            )
            if on_progress:
                job.refresh_from_db()
                on_progress(job)
        ReplayJob.objects.filter(pk=job.pk).update(status=ReplayJobStatus.DONE, finished_at=timezone.now())
    except Exception as exc:
        log.exception("replay job %s failed", job_id)
        ReplayJob.objects.filter(pk=job.pk).update(
            status=ReplayJobStatus.FAILED, finished_at=timezone.now(), message=f"{type(exc).__name__}: {exc}"[:2000]
        )
    job.refresh_from_db()
    return job
